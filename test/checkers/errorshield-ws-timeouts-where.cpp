// Where a stream that never gets a timeout option is reported: where it is made (the local or data
// member of a stream type, a local initialised by its maker, the one place a stream held by a
// pointer or optional is created), with the handshake as a note; at the handshake when there is no
// single such place, or when it is in another file (a header).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-timeouts' -- -std=c++20 -nostdinc++ \
// RUN:   -isystem %mocks -I %S/Inputs/headers \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "timeout_sessions.h"
#include "websocket.h"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using server_stream = websocket::stream<beast::tcp_stream>;
using tcp = boost::asio::ip::tcp;

// ---- A local made by std::make_shared: its declaration ----
void shared_local(tcp::socket s) {
  auto ws = std::make_shared<server_stream>(std::move(s));
  ws->async_accept([ws](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-2]]:8: warning: websocket stream 'ws' never gets a timeout option from its owner: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// CHECK-MESSAGES: :[[@LINE-2]]:7: note: async_accept runs here without one
// CHECK-MESSAGES: :[[@LINE-3]]:7: note: set one first, e.g. ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
}

// ---- A member held by a pointer, made in one place: that place ----
class late_session {
  std::shared_ptr<server_stream> ws_;

public:
  void upgrade(tcp::socket s) {
    ws_ = std::make_shared<server_stream>(std::move(s));
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: websocket stream 'ws_' never gets a timeout option from its owner: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
    ws_->async_accept([](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-1]]:10: note: async_accept runs here without one
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: set one first, e.g. ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
  }
  // A second handshake on the same stream adds no second finding.
  void reconnect() { ws_->async_accept([](beast::error_code) {}); }
};

// ---- An optional member emplaced in one place: the emplace ----
class optional_session {
  std::optional<server_stream> ws_;

public:
  void upgrade(tcp::socket s) {
    ws_.emplace(std::move(s));
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: websocket stream 'ws_' never gets a timeout option from its owner: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
    ws_->async_accept([](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-1]]:10: note: async_accept runs here without one
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: set one first, e.g. ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
  }
};

// ---- Made in two places: no single place to show, so the handshake ----
class twice_made_session {
  std::shared_ptr<server_stream> ws_;

public:
  void primary(tcp::socket s) { ws_ = std::make_shared<server_stream>(std::move(s)); }
  void fallback(tcp::socket s) { ws_ = std::make_shared<server_stream>(std::move(s)); }
  void run() { ws_->async_accept([](beast::error_code) {}); }
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: async_accept on 'ws_', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// CHECK-MESSAGES: :[[@LINE-2]]:21: note: set one first, e.g. ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
};

// ---- Declared in a header: the handshake, in this file ----
void split_session::run() { ws_.async_accept([](beast::error_code) {}); }
// CHECK-MESSAGES: :[[@LINE-1]]:33: warning: async_accept on 'ws_', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// CHECK-MESSAGES: :[[@LINE-2]]:33: note: set one first, e.g. ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))

// ---- Configured: no finding wherever the stream is made ----
class configured_late_session {
  std::shared_ptr<server_stream> ws_;

public:
  void upgrade(tcp::socket s) {
    ws_ = std::make_shared<server_stream>(std::move(s));
    ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_->async_accept([](beast::error_code) {});
  }
};

// ---- Made by a factory of the project: judged by what the factory does, reported where it
// makes the stream ----
std::shared_ptr<server_stream> make_configured_link(tcp::socket s) {
  auto ws = std::make_shared<server_stream>(std::move(s));
  ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  return ws;
}
template <class Socket> std::shared_ptr<server_stream> make_bare_link(Socket s) {
  auto link = std::make_shared<server_stream>(std::move(s));
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: websocket stream 'link' never gets a timeout option from its owner: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
  link->text(true);
  return link;
}
void configured_by_factory(tcp::socket s) {
  auto ws = make_configured_link(std::move(s));
  ws->async_accept([](beast::error_code) {});
}
void bare_from_factory(tcp::socket s) {
  auto link = make_bare_link(std::move(s));
  link->async_accept([](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: note: async_accept runs here without one
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: set one first, e.g. link.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
}
