// Option variants; malformed entries are named and skipped (prefix BAD-CONFIG). The catalog's lists
// apply by default (prefix DEFAULT). ForbiddenCodes replaced by a project policy that also forbids 4000-4099 and no fix-it mapping (prefix POLICY). An extra
// catalog adds a second library's stream type and its `shutdown` method (prefix EXTEND).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-close-code' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=DEFAULT --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-close-code' \
// RUN:   -config="{CheckOptions: {errorshield-ws-close-code.ForbiddenCodes: '1005;1006;4000-4099', errorshield-ws-close-code.FixItCodes: ''}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=POLICY --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-close-code' \
// RUN:   -config="{CheckOptions: {ErrorShieldExtraCatalog: '%S/Inputs/catalogs/extra-websocket.json'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=EXTEND --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-close-code' \
// RUN:   -config="{CheckOptions: {errorshield-ws-close-code.ForbiddenCodes: '1006;ten;3000-2000', errorshield-ws-close-code.FixItCodes: '1005'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks 2>&1 | FileCheck %s --check-prefix=BAD-CONFIG
// BAD-CONFIG-DAG: errorshield: errorshield-ws-close-code.ForbiddenCodes: 'ten' is not a code or a LOW-HIGH range
// BAD-CONFIG-DAG: errorshield: errorshield-ws-close-code.ForbiddenCodes: '3000-2000' is not a code or a LOW-HIGH range
// BAD-CONFIG-DAG: errorshield: errorshield-ws-close-code.FixItCodes: '1005' is not CODE=enumerator
// The valid entries still apply.
// BAD-CONFIG-DAG: warning: close code 1006 must not be sent in a close frame
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-close-code' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMP
// DUMP-DAG: errorshield-ws-close-code.ForbiddenCodes: '1-999;1004;1005;1006;1015;1016-2999;5000-65535'
// DUMP-DAG: errorshield-ws-close-code.FixItCodes: '1005=boost::beast::websocket::close_code::normal;1006=boost::beast::websocket::close_code::internal_error'
// DUMP-DAG: errorshield-ws-close-code.CloseMethods: 'close;async_close'

#include "acme_ws.h"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

void beast_codes(websocket::stream<tcp::socket> &ws) {
  ws.close(websocket::close_code::abnormal);
// DEFAULT: :[[@LINE-1]]:6: warning: close code 1006 must not be sent in a close frame: it only reports locally that the connection closed without a close frame [ES-WS-005] [errorshield-ws-close-code]
// POLICY: :[[@LINE-2]]:6: warning: close code 1006 must not be sent in a close frame: it only reports locally that the connection closed without a close frame [ES-WS-005] [errorshield-ws-close-code]
// EXTEND: :[[@LINE-3]]:6: warning: close code 1006 must not be sent in a close frame: it only reports locally that the connection closed without a close frame [ES-WS-005] [errorshield-ws-close-code]
  ws.close(4001);
// POLICY: :[[@LINE-1]]:6: warning: close code 4001 must not be sent in a close frame: the catalog forbids it [ES-WS-005] [errorshield-ws-close-code]
  ws.close(1016);
// DEFAULT: :[[@LINE-1]]:6: warning: close code 1016 must not be sent in a close frame: it is reserved for the WebSocket protocol [ES-WS-005] [errorshield-ws-close-code]
// EXTEND: :[[@LINE-2]]:6: warning: close code 1016 must not be sent in a close frame: it is reserved for the WebSocket protocol [ES-WS-005] [errorshield-ws-close-code]
}

void acme_codes(acme::wsock::session &s) {
  s.shutdown(websocket::close_code::no_status);
// DEFAULT: :[[@LINE-1]]:14: warning: close code 1005 must not be sent in a close frame: it only reports locally that a close frame carried no status code [ES-WS-005] [errorshield-ws-close-code]
// POLICY: :[[@LINE-2]]:14: warning: close code 1005 must not be sent in a close frame: it only reports locally that a close frame carried no status code [ES-WS-005] [errorshield-ws-close-code]
// EXTEND: :[[@LINE-3]]:5: warning: close code 1005 must not be sent in a close frame: it only reports locally that a close frame carried no status code [ES-WS-005] [errorshield-ws-close-code]
  s.shutdown(websocket::close_code::normal);
}
