// Option variants. The catalog's lists apply by default, Beast's stream only (prefix DEFAULT). A
// lower MaxMessageBytes (prefix CEILING). Only async_read counts as a read (prefix REPLACE). An extra
// catalog adds a second library's stream type and its limit setter, no code change (prefix EXTEND).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-message-limit' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=DEFAULT --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-message-limit' \
// RUN:   -config="{CheckOptions: {errorshield-ws-message-limit.MaxMessageBytes: '65536', errorshield-ws-message-limit.SuggestedMessageBytes: '16384'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CEILING --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-message-limit' \
// RUN:   -config="{CheckOptions: {errorshield-ws-message-limit.ReadMethods: 'async_read'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=REPLACE --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-message-limit' \
// RUN:   -config="{CheckOptions: {ErrorShieldExtraCatalog: '%S/Inputs/catalogs/extra-websocket.json'}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=EXTEND --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-message-limit' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMP
// DUMP-DAG: errorshield-ws-message-limit.StreamTypes: 'boost::beast::websocket::stream'
// DUMP-DAG: errorshield-ws-message-limit.ReadMethods: 'read;async_read;read_some;async_read_some'
// DUMP-DAG: errorshield-ws-message-limit.LimitMethods: read_message_max
// DUMP-DAG: errorshield-ws-message-limit.MaxMessageBytes: '67108864'
// DUMP-DAG: errorshield-ws-message-limit.SuggestedMessageBytes: '1048576'

#include "acme_ws.h"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

void beast_sync(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  beast::flat_buffer b;
  ws.read(b);
// DEFAULT: :[[@LINE-1]]:6: warning: read on 'ws', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// DEFAULT: :[[@LINE-2]]:6: note: set a limit before the first read, e.g. ws.read_message_max(1048576)
// CEILING: :[[@LINE-3]]:6: warning: read on 'ws', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// CEILING: :[[@LINE-4]]:6: note: set a limit before the first read, e.g. ws.read_message_max(16384)
// EXTEND: :[[@LINE-5]]:6: warning: read on 'ws', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// EXTEND: :[[@LINE-6]]:6: note: set a limit before the first read, e.g. ws.read_message_max(1048576)
  // Reported once per stream, at its first read: with the default ReadMethods that is read() above;
  // when only async_read counts as a read, it is this one.
  ws.async_read(b, [](beast::error_code, size_t) {});
// REPLACE: :[[@LINE-1]]:6: warning: async_read on 'ws', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// REPLACE: :[[@LINE-2]]:6: note: set a limit before the first read, e.g. ws.read_message_max(1048576)
}

void beast_limited(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.read_message_max(1 << 20);
// CEILING: :[[@LINE-1]]:6: warning: read_message_max(1048576) allows messages above the 65536-byte ceiling: a few peers can exhaust the server's memory [ES-WS-003] [errorshield-ws-message-limit]
// CEILING: :[[@LINE-2]]:6: note: limit messages to what the protocol needs, e.g. read_message_max(16384)
  beast::flat_buffer b;
  ws.read(b);
}

void acme_unlimited() {
  acme::wsock::session ws;
  beast::flat_buffer b;
  ws.read(b);
// EXTEND: :[[@LINE-1]]:6: warning: read on 'ws', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// EXTEND: :[[@LINE-2]]:6: note: set a limit before the first read, e.g. ws.read_message_max(1048576)
}

void acme_limited() {
  acme::wsock::session ws;
  ws.set_max_message_size(4096);
  beast::flat_buffer b;
  ws.read(b);
}
