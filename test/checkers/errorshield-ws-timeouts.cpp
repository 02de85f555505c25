// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-timeouts' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-timeouts' \
// RUN:   --config="{CheckOptions: {errorshield-ws-timeouts.DeadlineMethods: ''}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks | FileCheck %s --check-prefix=CHECK-NODEADLINE

#include "websocket.h"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;
using namespace std::literals;

// ---- 1. Handshakes on a stream whose owner never sets a timeout option ----

class bare_session {
  websocket::stream<beast::tcp_stream> ws_;

public:
  void run() { ws_.async_accept([](beast::error_code) {}); }
// CHECK-MESSAGES: :[[@LINE-4]]:40: warning: websocket stream 'ws_' never gets a timeout option from its owner: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// CHECK-MESSAGES: :[[@LINE-2]]:20: note: async_accept runs here without one
// CHECK-MESSAGES: :[[@LINE-3]]:20: note: set one first, e.g. ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
};

class suggested_session {
  websocket::stream<beast::tcp_stream> ws_;

public:
  void start() { ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server)); }
  void run() { ws_.async_accept([](beast::error_code) {}); }
};

void sync_server(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept();
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept on 'ws', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// CHECK-MESSAGES: :[[@LINE-2]]:6: note: the timeout option applies to asynchronous operations only: use the async API with timeout::suggested(beast::role_type::server), or bound this synchronous session with socket timeouts
}

void sync_client(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.handshake("feed.example.com", "/ticks");
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: handshake on 'ws', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// CHECK-MESSAGES: :[[@LINE-2]]:6: note: the timeout option applies to asynchronous operations only: use the async API with timeout::suggested(beast::role_type::client), or bound this synchronous session with socket timeouts
}

void async_client(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws.async_handshake("feed.example.com", "/ticks", [](beast::error_code) {});
}

// A timeout held in a variable counts like one built in place.
void variable_option(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = std::chrono::seconds(120);
  ws.set_option(opt);
  ws.accept();
}

// ---- 2. Options that switch a timeout off ----

void client_settings_on_server(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: this timeout option disables the idle timeout of a server stream: a client that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
  ws.accept();
}

void no_handshake_timeout(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.set_option(websocket::stream_base::timeout{websocket::stream_base::none(), std::chrono::minutes(5), true});
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: this timeout option disables the handshake timeout: a peer that never completes the handshake holds its connection forever [ES-WS-002] [errorshield-ws-timeouts]
  ws.accept();
}

void no_idle_on_server(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), true});
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: this timeout option disables the idle timeout of a server stream: a client that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
  ws.accept();
}

void nothing_detects_dead_peer(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = std::chrono::seconds(30);
  opt.idle_timeout = websocket::stream_base::none();
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: this timeout option disables both the idle timeout and keep-alive pings: a dead connection is never detected [ES-WS-002] [errorshield-ws-timeouts]
  opt.keep_alive_pings = false;
  ws.set_option(opt);
// CHECK-MESSAGES: :[[@LINE-1]]:6: note: the option is applied here
  ws.handshake("h", "/");
}

// A client may run without an idle timeout (Beast's suggested client), but asking for pings with
// none is a mistake: Beast pings only when half the idle timeout has passed.
void client_without_idle(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), true});
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: this timeout option asks for keep-alive pings but disables the idle timeout: pings are sent only when half the idle timeout has passed, so none ever is, and a dead connection is never detected [ES-WS-002] [errorshield-ws-timeouts]
  ws.handshake("h", "/");
}

// ---- 3. Idle timeouts outside the catalog's 5 s .. 1 h ----

void idle_bounds(tcp::socket s) {
  websocket::stream<tcp::socket> a{std::move(s)};
  a.set_option(websocket::stream_base::timeout{30s, 2s, true});
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: this timeout option sets an idle timeout of 2 s, outside 5-3600 s: healthy but quiet peers are dropped [ES-WS-002] [errorshield-ws-timeouts]
  a.accept();
  websocket::stream<tcp::socket> b{std::move(s)};
  b.set_option(websocket::stream_base::timeout{std::chrono::seconds(30), std::chrono::hours(2), true});
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: this timeout option sets an idle timeout of 7200 s, outside 5-3600 s: dead peers hold their session for too long [ES-WS-002] [errorshield-ws-timeouts]
  b.accept();
  websocket::stream<tcp::socket> c{std::move(s)};
  auto t = websocket::stream_base::timeout::suggested(beast::role_type::server);
  t.idle_timeout = std::chrono::milliseconds(500);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: this timeout option sets an idle timeout of 0.500 s, outside 5-3600 s: healthy but quiet peers are dropped [ES-WS-002] [errorshield-ws-timeouts]
  c.set_option(t);
// CHECK-MESSAGES: :[[@LINE-1]]:5: note: the option is applied here
  c.accept();
  websocket::stream<tcp::socket> d{std::move(s)};
  d.set_option(websocket::stream_base::timeout{30s, 1h, true});
  d.accept();
  websocket::stream<tcp::socket> e{std::move(s)};
  e.set_option(websocket::stream_base::timeout{30s, 5s, true});
  e.accept();
}

void idle_from_config(tcp::socket s, std::chrono::seconds configured) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.set_option(websocket::stream_base::timeout{30s, configured, true});
  ws.accept();
}

// ---- 4. A stream the code does not own: only the option's own value is judged ----

void finish(websocket::stream<tcp::socket> &ws) {
  ws.accept();
  ws.set_option(websocket::stream_base::timeout{websocket::stream_base::none(), 60s, true});
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: this timeout option disables the handshake timeout: a peer that never completes the handshake holds its connection forever [ES-WS-002] [errorshield-ws-timeouts]
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
}

// ---- 5. A helper that sets the option on the stream it is handed ----

template <class Next> void configure(websocket::stream<Next> &ws) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
}

class configured_by_helper {
  websocket::stream<beast::tcp_stream> ws_;

public:
  explicit configured_by_helper(tcp::socket &&s) : ws_(std::move(s)) { configure(ws_); }
  void run() { ws_.async_accept([](beast::error_code) {}); }
};

// Beast's server settings with the idle timeout then switched off: a server stream, whoever it is
// handed by (the helper does not know its caller's stream, the option says it).
template <class Stream> void configure_wall_display(Stream &ws) {
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = websocket::stream_base::none();
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: this timeout option disables the idle timeout of a server stream: a client that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
  ws.set_option(opt);
// CHECK-MESSAGES: :[[@LINE-1]]:6: note: the option is applied here
}
template <class Stream> void configure_kiosk(Stream &ws) {
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = std::chrono::minutes(2);
  ws.set_option(opt);
}
class wall_display {
  websocket::stream<beast::tcp_stream> ws_, kiosk_;

public:
  wall_display(tcp::socket &&a, tcp::socket &&b) : ws_(std::move(a)), kiosk_(std::move(b)) {
    configure_wall_display(ws_);
    configure_kiosk(kiosk_);
  }
  void run() {
    ws_.async_accept([](beast::error_code) {});
    kiosk_.async_accept([](beast::error_code) {});
  }
};

// ---- 6. Templates ----

template <class Next> class generic_session {
  websocket::stream<Next> ws_;

public:
  void run() { ws_.async_accept([](beast::error_code) {}); }
// CHECK-MESSAGES: :[[@LINE-4]]:27: warning: websocket stream 'ws_' never gets a timeout option from its owner: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// CHECK-MESSAGES: :[[@LINE-2]]:20: note: async_accept runs here without one
// CHECK-MESSAGES: :[[@LINE-3]]:20: note: set one first, e.g. ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
};
template class generic_session<tcp::socket>;

template <class Next> class generic_good {
  websocket::stream<Next> ws_;

public:
  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([](beast::error_code) {});
  }
};

// ---- Owners whose other member functions are defined in another translation unit ----
// What configure() does to ws_ is not known here, so "never sets" cannot be established: quiet.
// (The layout of a session whose run() is in the header and the rest in a .cpp file.)
class split_session {
  websocket::stream<tcp::socket> ws_;
  void configure(); // defined in split_session.cpp

public:
  void run() {
    configure();
    ws_.async_accept([](beast::error_code) {});
  }
};

// Every member function visible, none sets a timeout: reported as usual.
class visible_session {
  websocket::stream<tcp::socket> ws_;
  void configure() { ws_.text(true); }

public:
  void run() {
    configure();
    ws_.async_accept([](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-7]]:34: warning: websocket stream 'ws_' never gets a timeout option from its owner: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: async_accept runs here without one
// CHECK-MESSAGES: :[[@LINE-3]]:9: note: set one first, e.g. ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
  }
};

// ---- 7. A timeout of the application's own: a timer that closes or pings the stream ----

class heartbeat_session {
  websocket::stream<beast::tcp_stream> ws_;
  boost::asio::steady_timer heartbeat_;
  bool pong_seen_ = true;

public:
  void run() {
    ws_.async_accept([this](beast::error_code) { beat(); });
  }
  void beat() {
    heartbeat_.expires_after(15s);
    heartbeat_.async_wait([this](beast::error_code ec) {
      if (ec)
        return;
      if (!pong_seen_)
        return beast::get_lowest_layer(ws_).close(); // no pong since the last ping: dead peer
      pong_seen_ = false;
      ws_.async_ping("", [this](beast::error_code e) {
        if (!e)
          beat();
      });
    });
  }
};

class idle_closer {
  websocket::stream<beast::tcp_stream> ws_;
  boost::asio::steady_timer idle_;

public:
  void run() {
    idle_.async_wait([this](beast::error_code) {
      ws_.async_close(websocket::close_code::going_away, [](beast::error_code) {});
    });
    ws_.async_accept([](beast::error_code) {});
  }
};

// A watchdog re-armed on every read that closes the layer under the stream.
class meter_watchdog {
  websocket::stream<beast::tcp_stream> ws_;
  boost::asio::steady_timer watchdog_;

public:
  void run() {
    arm();
    ws_.async_accept([](beast::error_code) {});
  }
  void arm() {
    watchdog_.expires_after(120s);
    watchdog_.async_wait([this](beast::error_code ec) {
      if (!ec)
        ws_.next_layer().close();
    });
  }
};

// A timer that only logs does not bound the peer's silence.
class timer_for_stats {
  websocket::stream<beast::tcp_stream> ws_;
  boost::asio::steady_timer stats_;
  int sent_ = 0;

public:
  void run() {
    stats_.async_wait([this](beast::error_code) { sent_ = 0; });
    ws_.async_accept([](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-8]]:40: warning: websocket stream 'ws_' never gets a timeout option from its owner: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: async_accept runs here without one
// CHECK-MESSAGES: :[[@LINE-3]]:9: note: set one first, e.g. ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
  }
};

// ---- 8. A stream received already made: its maker may have set the option ----

using server_stream = websocket::stream<beast::tcp_stream>;
void accept_made(server_stream ws) { ws.async_accept([](beast::error_code) {}); }

// Unless every caller makes it in the call, from a socket: nobody set anything on it before.
void accept_fresh(server_stream ws) { ws.async_accept([](beast::error_code) {}); }
// CHECK-MESSAGES: :[[@LINE-1]]:42: warning: async_accept on 'ws', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// CHECK-MESSAGES: :[[@LINE-2]]:42: note: set one first, e.g. ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
void accept_handed(server_stream ws) { ws.async_accept([](beast::error_code) {}); }
void on_connection(beast::tcp_stream &&s, beast::tcp_stream &&t, server_stream &&configured) {
  accept_fresh(server_stream{std::move(s)});
  accept_handed(server_stream(std::move(t)));
  accept_handed(std::move(configured)); // this one may have been configured
}

class adopted_session {
  server_stream ws_;

public:
  explicit adopted_session(server_stream &&ws) : ws_(std::move(ws)) {}
  void run() { ws_.async_accept([](beast::error_code) {}); }
};

// Built from a socket: this owner makes the stream, and never sets the option.
class socket_session {
  server_stream ws_;

public:
  explicit socket_session(beast::tcp_stream &&s) : ws_(std::move(s)) {}
  void run() { ws_.async_accept([](beast::error_code) {}); }
// CHECK-MESSAGES: :[[@LINE-5]]:17: warning: websocket stream 'ws_' never gets a timeout option from its owner: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// CHECK-MESSAGES: :[[@LINE-2]]:20: note: async_accept runs here without one
// CHECK-MESSAGES: :[[@LINE-3]]:20: note: set one first, e.g. ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
};

// ---- A deadline on the TCP layer before every read of the read loop ----
void metrics_tap(beast::tcp_stream &&s, beast::flat_buffer &buf) {
  server_stream ws{std::move(s)};
  ws.accept();
// CHECK-NODEADLINE: :[[@LINE-1]]:6: warning: accept on 'ws', whose owner never sets a websocket timeout option
  for (;;) {
    beast::get_lowest_layer(ws).expires_after(30);
    ws.read(buf);
  }
}
// A deadline set once, outside the loop, only bounds the handshake.
void handshake_only(beast::tcp_stream &&s, beast::flat_buffer &buf) {
  server_stream ws{std::move(s)};
  beast::get_lowest_layer(ws).expires_after(30);
  ws.accept();
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept on 'ws', whose owner never sets a websocket timeout option: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// CHECK-MESSAGES: :[[@LINE-2]]:6: note: the timeout option applies to asynchronous operations only: use the async API with timeout::suggested(beast::role_type::server), or bound this synchronous session with socket timeouts
  for (;;)
    ws.read(buf);
}

// A helper of the project that builds the option and returns it is followed to its return: the
// field it switches off is where the finding goes.
websocket::stream_base::timeout for_listeners() {
  auto t = websocket::stream_base::timeout::suggested(beast::role_type::server);
  t.idle_timeout = websocket::stream_base::none();
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: this timeout option disables the idle timeout of a server stream: a client that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
  return t;
}
websocket::stream_base::timeout for_guests() {
  auto t = websocket::stream_base::timeout::suggested(beast::role_type::server);
  t.keep_alive_pings = true;
  return t;
}
void listener_and_guest(beast::tcp_stream &&a, beast::tcp_stream &&b) {
  server_stream listener{std::move(a)};
  listener.set_option(for_listeners());
// CHECK-MESSAGES: :[[@LINE-1]]:12: note: the option is applied here
  listener.async_accept([](beast::error_code) {});
  server_stream guest{std::move(b)};
  guest.set_option(for_guests());
  guest.async_accept([](beast::error_code) {});
}
