// Option variants. By default the catalog's lists apply (prefix DEFAULT). CheckOptions replace a
// list (prefix REPLACE; only read_some takes an error_code, only async_read_some is asynchronous).
// An extra catalog adds tls_read, a project read returning 0 at end of stream (prefix EXTEND).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unchecked-read' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=DEFAULT --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unchecked-read' \
// RUN:   -config="{CheckOptions: {errorshield-unchecked-read.SyncReadOperations: 'read_some', errorshield-unchecked-read.AsyncReadOperations: 'async_read_some'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=REPLACE --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unchecked-read' \
// RUN:   -config="{CheckOptions: {ErrorShieldExtraCatalog: '%S/Inputs/catalogs/extra-reads.json'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=EXTEND --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-unchecked-read' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMP
// DUMP-DAG: errorshield-unchecked-read.ReadFunctions: 'read;pread;
// DUMP-DAG: errorshield-unchecked-read.IoNamespaces: 'boost::asio;boost::beast;asio'
// DUMP-DAG: errorshield-unchecked-read.IstreamBufferReads: read{{$}}
// DUMP-DAG: errorshield-unchecked-read.HandlerBinders: 'boost::beast::bind_front_handler;

#include "reads.h"

namespace net = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;

ssize_t tls_read(void *session, char *buf, size_t len);

void pump(void *tls, net::ip::tcp::socket &sock, beast::websocket::stream<int> &ws,
          beast::flat_buffer &fb) {
  char buf[64];
  ssize_t n = tls_read(tls, buf, sizeof buf);
// EXTEND: :[[@LINE-1]]:15: warning: the result of 'tls_read' is never told apart from 0 (end of stream): at end of stream the code carries on as if data had arrived [ES-IO-001] [errorshield-unchecked-read]
  if (n < 0)
    return;
  process(buf, n);
  error_code ec;
  ws.read(fb, ec);
// DEFAULT: :[[@LINE-1]]:6: warning: error_code 'ec' set by 'read' is not tested before 'fb' is used [ES-IO-001] [errorshield-unchecked-read]
// EXTEND: :[[@LINE-2]]:6: warning: error_code 'ec' set by 'read' is not tested before 'fb' is used [ES-IO-001] [errorshield-unchecked-read]
  fb.consume(1);
  size_t got = sock.read_some(net::buffer(buf, sizeof buf), ec);
// DEFAULT: :[[@LINE-1]]:21: warning: error_code 'ec' set by 'read_some' is not tested before 'buf' is used [ES-IO-001] [errorshield-unchecked-read]
// REPLACE: :[[@LINE-2]]:21: warning: error_code 'ec' set by 'read_some' is not tested before 'buf' is used [ES-IO-001] [errorshield-unchecked-read]
// EXTEND: :[[@LINE-3]]:21: warning: error_code 'ec' set by 'read_some' is not tested before 'buf' is used [ES-IO-001] [errorshield-unchecked-read]
  process(buf, got);
  ws.async_read(fb, [](error_code, size_t) {});
// DEFAULT: :[[@LINE-1]]:6: warning: the completion handler of 'async_read' never examines its error_code: a failed read is handled like a successful one [ES-IO-001] [errorshield-unchecked-read]
// DEFAULT: :[[@LINE-2]]:34: note: the handler's error_code parameter
// EXTEND: :[[@LINE-3]]:6: warning: the completion handler of 'async_read' never examines its error_code: a failed read is handled like a successful one [ES-IO-001] [errorshield-unchecked-read]
// EXTEND: :[[@LINE-4]]:34: note: the handler's error_code parameter
  sock.async_read_some(fb, [](error_code, size_t) {});
// DEFAULT: :[[@LINE-1]]:8: warning: the completion handler of 'async_read_some' never examines its error_code: a failed read is handled like a successful one [ES-IO-001] [errorshield-unchecked-read]
// DEFAULT: :[[@LINE-2]]:41: note: the handler's error_code parameter
// REPLACE: :[[@LINE-3]]:8: warning: the completion handler of 'async_read_some' never examines its error_code: a failed read is handled like a successful one [ES-IO-001] [errorshield-unchecked-read]
// REPLACE: :[[@LINE-4]]:41: note: the handler's error_code parameter
// EXTEND: :[[@LINE-5]]:8: warning: the completion handler of 'async_read_some' never examines its error_code: a failed read is handled like a successful one [ES-IO-001] [errorshield-unchecked-read]
// EXTEND: :[[@LINE-6]]:41: note: the handler's error_code parameter
}
