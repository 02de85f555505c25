// Option variants. The catalog's lists apply by default (prefix DEFAULT). A proxy that forwards the
// browser's origin in X-Client-Origin, the only header that counts (prefix PROXY). An extra catalog
// adds a second library's stream type (prefix EXTEND).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-handshake-origin' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=DEFAULT --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-handshake-origin' \
// RUN:   -config="{CheckOptions: {errorshield-ws-handshake-origin.OriginFields: '', errorshield-ws-handshake-origin.OriginHeaderNames: 'X-Client-Origin'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=PROXY --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-handshake-origin' \
// RUN:   -config="{CheckOptions: {ErrorShieldExtraCatalog: '%S/Inputs/catalogs/extra-websocket.json'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=EXTEND --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-handshake-origin' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMP
// DUMP-DAG: errorshield-ws-handshake-origin.AcceptMethods: 'accept;async_accept'
// DUMP-DAG: errorshield-ws-handshake-origin.OriginFields: 'boost::beast::http::field::origin'
// DUMP-DAG: errorshield-ws-handshake-origin.OriginHeaderNames: Origin
// DUMP-DAG: errorshield-ws-handshake-origin.HeaderWriteMethods: 'set;insert'

#include "acme_ws.h"

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;
using request = http::request<http::string_body>;

void direct_origin(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  if (req[http::field::origin] != "https://app.example.com")
    return;
  ws.accept(req);
// PROXY: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}

void forwarded_origin(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  if (req["X-Client-Origin"] != "https://app.example.com")
    return;
  ws.accept(req);
// DEFAULT: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
// EXTEND: :[[@LINE-2]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}

void acme_accept() {
  acme::wsock::session ws;
  ws.accept();
// EXTEND: :[[@LINE-1]]:6: warning: accept without a request: the library reads the handshake itself, so its Origin header can never be checked (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}

// The extra catalog's request type: a search of its headers compared with its end() only tests
// that an Origin was sent (every browser sends one); comparing its value decides.
void acme_presence_only(const acme::wsock::upgrade_request &req) {
  acme::wsock::session ws;
  if (req.find("Origin") == req.end())
    return;
  ws.accept(req);
// EXTEND: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}
void acme_value_checked(const acme::wsock::upgrade_request &req) {
  acme::wsock::session ws;
  if (req["Origin"] != "https://app.example.com")
    return;
  ws.accept(req);
}
