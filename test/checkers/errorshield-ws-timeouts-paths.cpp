// What the code does with the stream decides: the owner sets a timeout option, but not on the path
// to this handshake (only later in the same function, or on a stream re-created since); a deadline
// re-armed before every read of a callback read chain; the client role's values on a client stream
// that is read (only with ReadClientsNeedIdleTimeout, prefix READCLIENT); keep-alive pings asked for
// with no idle timeout.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-timeouts' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-timeouts' \
// RUN:   -config="{CheckOptions: {errorshield-ws-timeouts.ReadClientsNeedIdleTimeout: true}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefixes=CHECK-MESSAGES,READCLIENT --implicit-check-not='{{warning|error|note}}:'

#include "websocket.h"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace std::literals;
using server_stream = websocket::stream<beast::tcp_stream>;
using tcp = boost::asio::ip::tcp;

bool is_legacy(int client);

// ---- An early return accepts before the option is set ----
class kiosk_session : public std::enable_shared_from_this<kiosk_session> {
  server_stream ws_;

public:
  void on_upgrade(int client) {
    if (is_legacy(client)) {
      ws_.async_accept([](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: async_accept on 'ws_' runs before the stream's timeout option is set: a peer that vanishes during or after this handshake is never detected [ES-WS-002] [errorshield-ws-timeouts]
      return;
    }
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
// CHECK-MESSAGES: :[[@LINE-1]]:9: note: the option is set only here, later
    ws_.async_accept([](beast::error_code) {});
  }
};

// Set later in the function, but also in the constructor: every stream has it.
class configured_twice {
  server_stream ws_;

public:
  explicit configured_twice(beast::tcp_stream &&s) : ws_(std::move(s)) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  }
  void run() {
    ws_.async_accept([](beast::error_code) {});
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  }
};

// In a loop, the option set at the end of one iteration precedes the next handshake.
void serve_forever(server_stream &&ws, bool more) {
  server_stream s{std::move(ws)};
  while (more) {
    s.async_accept([](beast::error_code) {});
    s.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  }
}

// ---- A stream re-created in place loses the option ----
void apply_uplink_timeouts(websocket::stream<beast::tcp_stream> &ws);

class uplink : public std::enable_shared_from_this<uplink> {
  std::optional<websocket::stream<beast::tcp_stream>> ws_;

public:
  void open() {
    ws_.emplace(0);
    apply_uplink_timeouts(*ws_);
    ws_->async_handshake("host", "/", [](beast::error_code) {});
  }
  void fast_reconnect() {
    ws_.emplace(0);
    beast::get_lowest_layer(*ws_).expires_never(); // a library call sets no websocket option
    ws_->async_handshake("host", "/", [](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: async_handshake on 'ws_', re-created in this function without a websocket timeout option: the option set on the previous stream does not carry over [ES-WS-002] [errorshield-ws-timeouts]
// CHECK-MESSAGES: :[[@LINE-4]]:9: note: the stream is re-created here
  }
  void reconnect_configured() {
    ws_.emplace(0);
    ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_->async_handshake("host", "/", [](beast::error_code) {});
  }
};

void apply_uplink_timeouts(websocket::stream<beast::tcp_stream> &ws) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
}

// ---- A deadline re-armed before every read of a callback read chain ----
class door_panel : public std::enable_shared_from_this<door_panel> {
  server_stream ws_;
  beast::flat_buffer buf_;

public:
  void start() {
    beast::get_lowest_layer(ws_).expires_after(10s);
    ws_.async_accept([self = shared_from_this()](beast::error_code) { self->read(); });
  }
  void read() {
    beast::get_lowest_layer(ws_).expires_after(90s);
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec)
        self->read();
    });
  }
};

// A deadline armed once before a read that does not run again is not a timeout per read.
class one_shot : public std::enable_shared_from_this<one_shot> {
  server_stream ws_;
  beast::flat_buffer buf_;

public:
  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code) { self->read_once(); });
// CHECK-MESSAGES: :[[@LINE-6]]:17: warning: websocket stream 'ws_' never gets a timeout option from its owner: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: async_accept runs here without one
// CHECK-MESSAGES: :[[@LINE-3]]:9: note: set one first, e.g. ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
  }
  void read_once() {
    beast::get_lowest_layer(ws_).expires_after(90s);
    ws_.async_read(buf_, [](beast::error_code, std::size_t) {});
  }
};

// ---- The client role's values on a client stream that is read ----
// Beast's suggestion for clients, and quiet by default; a project whose clients must notice a
// silent server asks for the idle timeout with ReadClientsNeedIdleTimeout.
beast::flat_buffer feed_buffer;

void read_feed(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
// READCLIENT: :[[@LINE-1]]:6: warning: this timeout option leaves this client stream without an idle timeout (the client role's suggested values have none), and it is read: a server that goes silent leaves the read waiting forever [ES-WS-002] [errorshield-ws-timeouts]
  ws.handshake("feed.example.com", "/ticks");
  ws.read(feed_buffer);
}

// Write-only: nothing waits on the server.
void push_only(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws.handshake("feed.example.com", "/ticks");
  ws.write(feed_buffer);
}

// The client role's values, then an idle timeout of its own: fine.
void read_feed_with_idle(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::client);
  opt.idle_timeout = 30s;
  opt.keep_alive_pings = true;
  ws.set_option(opt);
  ws.handshake("feed.example.com", "/ticks");
  ws.read(feed_buffer);
}

// ---- Keep-alive pings asked for with no idle timeout never fire ----
void pings_without_idle(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), true});
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: this timeout option asks for keep-alive pings but disables the idle timeout: pings are sent only when half the idle timeout has passed, so none ever is, and a dead connection is never detected [ES-WS-002] [errorshield-ws-timeouts]
  ws.handshake("feed.example.com", "/ticks");
}
