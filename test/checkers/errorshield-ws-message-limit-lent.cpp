// A helper reading the stream it is lent: when every call lends a stream whose owner sets no
// limit, the read in the helper is reported, with a note at each call; when some caller sets
// one, the calls that do not are (see the main test).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-message-limit' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "websocket.h"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

template <class NextLayer>
void drain_log(websocket::stream<NextLayer> &log, beast::flat_buffer &buf) {
  for (;;)
    log.read(buf);
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: read on 'log', a stream whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE+8]]:3: note: 'ws' is lent here without a limit; set one first, e.g. ws.read_message_max(1048576)
// CHECK-MESSAGES: :[[@LINE+14]]:3: note: 'station' is lent here without a limit; set one first, e.g. station.read_message_max(1048576)
}

void station_log(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  beast::flat_buffer buf;
  drain_log(ws, buf);
}

void backup_station_log(tcp::socket sock) {
  websocket::stream<tcp::socket> station(std::move(sock));
  station.accept();
  beast::flat_buffer buf;
  drain_log(station, buf);
}

// Every caller sets a limit: nothing to report.
void read_command(websocket::stream<tcp::socket> &ws, beast::flat_buffer &buf) { ws.read(buf); }
void interlock(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(4096);
  ws.accept();
  beast::flat_buffer buf;
  read_command(ws, buf);
}
