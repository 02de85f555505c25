// Option variants. The catalog's bounds apply by default, idle 5 s .. 1 h (prefix DEFAULT). A
// stricter policy of 30 s .. 10 min (prefix BOUNDS). Only accept counts as a server handshake and no
// client handshake is judged (prefix REPLACE). An extra catalog adds a second library's stream type
// (prefix EXTEND).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-timeouts' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=DEFAULT --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-timeouts' \
// RUN:   -config="{CheckOptions: {errorshield-ws-timeouts.MinIdleTimeoutSeconds: '30', errorshield-ws-timeouts.MaxIdleTimeoutSeconds: '600'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=BOUNDS --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-timeouts' \
// RUN:   -config="{CheckOptions: {errorshield-ws-timeouts.ServerHandshakeMethods: 'accept', errorshield-ws-timeouts.ClientHandshakeMethods: ''}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=REPLACE --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-timeouts' \
// RUN:   -config="{CheckOptions: {ErrorShieldExtraCatalog: '%S/Inputs/catalogs/extra-websocket.json'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=EXTEND --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-timeouts' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMP
// DUMP-DAG: errorshield-ws-timeouts.MinIdleTimeoutSeconds: '5'
// DUMP-DAG: errorshield-ws-timeouts.MaxIdleTimeoutSeconds: '3600'
// DUMP-DAG: errorshield-ws-timeouts.ReadClientsNeedIdleTimeout: 'false'
// DUMP-DAG: errorshield-ws-timeouts.TimeoutOptionTypes: 'boost::beast::websocket::stream_base::timeout'
// DUMP-DAG: errorshield-ws-timeouts.TimerWaitMethods: async_wait
// DUMP-DAG: errorshield-ws-timeouts.WatchdogMethods: 'close;async_close;async_ping;cancel'
// DUMP-DAG: errorshield-ws-timeouts.NoTimeoutFunctions: 'boost::beast::websocket::stream_base::none'
// DUMP-DAG: errorshield-ws-timeouts.ClientRoles: 'boost::beast::role_type::client'
// DUMP-DAG: errorshield-ws-timeouts.ReadMethods: 'read;async_read;read_some;async_read_some'

#include "acme_ws.h"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;
using namespace std::literals;

void server_without_timeout(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.async_accept([](beast::error_code) {});
// DEFAULT: :[[@LINE-1]]:6: warning: async_accept on 'ws', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// DEFAULT: :[[@LINE-2]]:6: note: set one first, e.g. ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
// BOUNDS: :[[@LINE-3]]:6: warning: async_accept on 'ws', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// BOUNDS: :[[@LINE-4]]:6: note: set one first, e.g. ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
// EXTEND: :[[@LINE-5]]:6: warning: async_accept on 'ws', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// EXTEND: :[[@LINE-6]]:6: note: set one first, e.g. ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
}

void sync_server_without_timeout(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept();
// DEFAULT: :[[@LINE-1]]:6: warning: accept on 'ws', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// DEFAULT: :[[@LINE-2]]:6: note: the timeout option applies to asynchronous operations only: use the async API with timeout::suggested(beast::role_type::server), or bound this synchronous session with socket timeouts
// BOUNDS: :[[@LINE-3]]:6: warning: accept on 'ws', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// BOUNDS: :[[@LINE-4]]:6: note: the timeout option applies to asynchronous operations only: use the async API with timeout::suggested(beast::role_type::server), or bound this synchronous session with socket timeouts
// REPLACE: :[[@LINE-5]]:6: warning: accept on 'ws', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// REPLACE: :[[@LINE-6]]:6: note: the timeout option applies to asynchronous operations only: use the async API with timeout::suggested(beast::role_type::server), or bound this synchronous session with socket timeouts
// EXTEND: :[[@LINE-7]]:6: warning: accept on 'ws', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// EXTEND: :[[@LINE-8]]:6: note: the timeout option applies to asynchronous operations only: use the async API with timeout::suggested(beast::role_type::server), or bound this synchronous session with socket timeouts
}

void client_without_timeout(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.handshake("h", "/");
// DEFAULT: :[[@LINE-1]]:6: warning: handshake on 'ws', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// DEFAULT: :[[@LINE-2]]:6: note: the timeout option applies to asynchronous operations only: use the async API with timeout::suggested(beast::role_type::client), or bound this synchronous session with socket timeouts
// BOUNDS: :[[@LINE-3]]:6: warning: handshake on 'ws', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// BOUNDS: :[[@LINE-4]]:6: note: the timeout option applies to asynchronous operations only: use the async API with timeout::suggested(beast::role_type::client), or bound this synchronous session with socket timeouts
// EXTEND: :[[@LINE-5]]:6: warning: handshake on 'ws', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// EXTEND: :[[@LINE-6]]:6: note: the timeout option applies to asynchronous operations only: use the async API with timeout::suggested(beast::role_type::client), or bound this synchronous session with socket timeouts
}

void idle_20s(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.set_option(websocket::stream_base::timeout{30s, 20s, true});
// BOUNDS: :[[@LINE-1]]:6: warning: this timeout option sets an idle timeout of 20 s, outside 30-600 s: healthy but quiet peers are dropped [ES-WS-002] [errorshield-ws-timeouts]
  ws.accept();
}

void idle_15min(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.set_option(websocket::stream_base::timeout{30s, 15min, true});
// BOUNDS: :[[@LINE-1]]:6: warning: this timeout option sets an idle timeout of 900 s, outside 30-600 s: dead peers hold their session for too long [ES-WS-002] [errorshield-ws-timeouts]
  ws.accept();
}

void acme_server() {
  acme::wsock::session ws;
  ws.accept();
// EXTEND: :[[@LINE-1]]:6: warning: accept on 'ws', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// EXTEND: :[[@LINE-2]]:6: note: the timeout option applies to asynchronous operations only: use the async API with timeout::suggested(beast::role_type::server), or bound this synchronous session with socket timeouts
}

void acme_server_with_timeout() {
  acme::wsock::session ws;
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.accept();
}
