// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-handshake-origin' --header-filter='.*' -- -std=c++20 \
// RUN:   -nostdinc++ -isystem %mocks -I %S/Inputs/headers \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "upgrade_sessions.h"
#include "websocket.h"

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;
using request = http::request<http::string_body>;

// ---- 1. accept() without a request: the library reads the handshake, Origin is never seen ----

class plain_session {
  websocket::stream<beast::tcp_stream> ws_;

public:
  void run() { ws_.async_accept([](beast::error_code) {}); }
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: async_accept without a request: the library reads the handshake itself, so its Origin header can never be checked (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
};

void sync_no_request(tcp::socket s, beast::error_code &ec) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept();
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept without a request: the library reads the handshake itself, so its Origin header can never be checked (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
  ws.accept(ec);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept without a request: the library reads the handshake itself, so its Origin header can never be checked (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}

// ---- 2. accept(req) where the owner never reads Origin ----

class unchecked_session {
  websocket::stream<beast::tcp_stream> ws_;

public:
  void run(request req) {
    if (req[http::field::user_agent] == "bot")
      return;
    ws_.async_accept(req, [](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
  }
};

void sync_unchecked(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}

// Writing the Origin header is not reading it.
void writes_origin(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  req.set(http::field::origin, "https://example.com");
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}

// ---- 3. Origin read by the owner, a helper, or the caller that hands the request over ----

class checked_session {
  websocket::stream<beast::tcp_stream> ws_;
  bool allowed(beast::string_view origin);

public:
  void run(request req) {
    if (!allowed(req[http::field::origin]))
      return;
    ws_.async_accept(req, [](beast::error_code) {});
  }
};

// Another member function of the class reads it: the class owns the stream.
class checked_elsewhere {
  websocket::stream<beast::tcp_stream> ws_;
  request req_;

public:
  bool on_request() { return req_.find("Origin") != nullptr; }
  void accept() { ws_.async_accept(req_, [](beast::error_code) {}); }
};

bool origin_ok(const request &req) { return req.count(http::field::origin) != 0; }
bool origin_ok_elsewhere(const request &req); // defined in another file: assumed to check

void sync_helper(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  if (!origin_ok(req))
    return;
  ws.accept(req);
}

void sync_opaque_helper(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  if (!origin_ok_elsewhere(req))
    return;
  ws.accept(req);
}
// A function defined elsewhere that returns text extracts something from the request rather than
// deciding on it, unless its name is about Origin (then its caller compares what it returns).
std::string user_of(const request &req);
std::string origin_of(const request &req);
bool listed(const std::string &origin);
void sync_user_only(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  const std::string user = user_of(req);
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}
void sync_origin_text(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  if (!listed(origin_of(req)))
    return;
  ws.accept(req);
}

class handed_session {
  websocket::stream<beast::tcp_stream> ws_;

public:
  template <class Body> void run(http::request<Body> req) { ws_.async_accept(req, [](beast::error_code) {}); }
};
void on_upgrade(request req, std::shared_ptr<handed_session> s) {
  if (req.at(http::field::origin) != "https://example.com")
    return;
  s->run(std::move(req));
}

// A router that checks Origin for one session does not check it for the others.
class routed_a {
  websocket::stream<beast::tcp_stream> ws_;

public:
  void run(request req) {
    if (!origin_ok(req))
      return;
    ws_.async_accept(req, [](beast::error_code) {});
  }
};
class routed_b {
  websocket::stream<beast::tcp_stream> ws_;

public:
  void run(request req) { ws_.async_accept(req, [](beast::error_code) {}); }
// CHECK-MESSAGES: :[[@LINE-1]]:31: warning: async_accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
};
void route(request req, std::shared_ptr<routed_a> a, std::shared_ptr<routed_b> b) {
  if (req.target() == "/a")
    a->run(std::move(req));
  else
    b->run(std::move(req));
}

// ---- 4. A fixed subprotocol answer without negotiation ----

class fixed_protocol {
  websocket::stream<beast::tcp_stream> ws_;

public:
  void run(request req) {
    if (!origin_ok(req))
      return;
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
      res.set(http::field::sec_websocket_protocol, "chat.v2");
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: the handshake answers with the fixed subprotocol 'chat.v2' without reading the client's Sec-WebSocket-Protocol: a client that did not offer it is told it was chosen [ES-WS-001] [errorshield-ws-handshake-origin]
      res.set(http::field::server, "chat");
    }));
    ws_.async_accept(req, [](beast::error_code) {});
  }
};

constexpr const char *kProtocol = "ticker.v1";
class fixed_constant_protocol {
  websocket::stream<beast::tcp_stream> ws_;

public:
  void run(request req) {
    if (!origin_ok(req))
      return;
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type &res) { res.set("Sec-WebSocket-Protocol", kProtocol); }));
// CHECK-MESSAGES: :[[@LINE-1]]:49: warning: the handshake answers with the fixed subprotocol 'ticker.v1' without reading the client's Sec-WebSocket-Protocol: a client that did not offer it is told it was chosen [ES-WS-001] [errorshield-ws-handshake-origin]
    ws_.async_accept(req, [](beast::error_code) {});
  }
};

class negotiated_protocol {
  websocket::stream<beast::tcp_stream> ws_;

public:
  void run(request req) {
    if (!origin_ok(req))
      return;
    const bool offered = req[http::field::sec_websocket_protocol] == "chat.v2";
    ws_.set_option(websocket::stream_base::decorator([offered](websocket::response_type &res) {
      if (offered)
        res.set(http::field::sec_websocket_protocol, "chat.v2");
    }));
    ws_.async_accept(req, [](beast::error_code) {});
  }
};

// The client offers subprotocols in its request: not an answer.
void client(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.set_option(websocket::stream_base::decorator([](request &req) {
    req.set(http::field::sec_websocket_protocol, "chat.v2");
  }));
  ws.handshake("chat.example.com", "/");
}

// ---- 5. Sessions defined in a header (Inputs/headers/upgrade_sessions.h) ----
// header_session::run gets its request from a caller this file does not contain: not judged here.
// header_session_called_here::run is called below without an Origin check: judged, in the header.
void upgrade(request req, std::shared_ptr<header_session_called_here> s) { s->run(std::move(req)); }

// ---- 6. A stream the code does not own: its accept(req) is judged only where a caller is seen
// (see section 7), but an accept without a request can never have been checked ----

void finish_upgrade(websocket::stream<tcp::socket> &ws, request &req) {
  ws.accept(req);
  ws.accept();
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept without a request: the library reads the handshake itself, so its Origin header can never be checked (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}


// ---- 7. Whose check covers which accept ----

// Each route's handler runs on its own: the partner route's check does not cover the ops route.
template <class F> void add_route(const char *path, F handler) { handler(tcp::socket{}, request{}); }
void install_routes() {
  add_route("/partner", [](tcp::socket s, request req) {
    if (!origin_ok(req))
      return;
    websocket::stream<tcp::socket> ws{std::move(s)};
    ws.accept(req);
  });
  add_route("/ops", [](tcp::socket s, request req) {
    websocket::stream<tcp::socket> ws{std::move(s)};
    ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
  });
}

// Only whether an Origin is present: every browser sends one, whichever page it comes from.
bool allowed_origin(const char *origin);
void presence_only(tcp::socket s, request req) {
  if (req.find(http::field::origin) == req.end())
    return;
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}
void value_checked(tcp::socket s, request req) {
  const char *origin = req.find(http::field::origin);
  if (origin != req.end() && !allowed_origin(origin))
    return;
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
}

// A stream reached through an accessor belongs to its class: a free function that accepts it is
// where its own check belongs, whatever another function does first.
class feed {
  websocket::stream<beast::tcp_stream> ws_;

public:
  websocket::stream<beast::tcp_stream> &ws() { return ws_; }
};
bool begin_feed(std::shared_ptr<feed> f, request req) {
  if (!origin_ok(req))
    return false;
  f->ws().accept(req);
  return true;
}
void accept_legacy(std::shared_ptr<feed> f, request req) {
  f->ws().accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}
void kiosk(std::shared_ptr<feed> f) {
  f->ws().async_accept([](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: async_accept without a request: the library reads the handshake itself, so its Origin header can never be checked (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}

// A stream handed in with its request: judged against the callers seen here. serve() checks
// Origin only on its other path, in a helper that accepts by itself.
bool accept_if_allowed(websocket::stream<tcp::socket> &ws, request req) {
  if (!origin_ok(req))
    return false;
  ws.accept(req);
  return true;
}
void finish_for_press(websocket::stream<tcp::socket> &ws, request req) {
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}
void serve(tcp::socket s, request req, bool press) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  if (press)
    return finish_for_press(ws, std::move(req));
  accept_if_allowed(ws, req);
}
void finish_checked(websocket::stream<tcp::socket> &ws, request req) { ws.accept(req); }
void serve_checked(tcp::socket s, request req) {
  if (!origin_ok(req))
    return;
  websocket::stream<tcp::socket> ws{std::move(s)};
  finish_checked(ws, std::move(req));
}
// KNOWN MISS: a caller's own check counts wherever the caller makes it, even after the call.
void finish_before_check(websocket::stream<tcp::socket> &ws, request req) { ws.accept(req); }
void serve_then_check(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  finish_before_check(ws, req);
  if (!origin_ok(req))
    return;
}

// The header's diagnostics come after this file's (clang-tidy orders them by file).
// CHECK-MESSAGES: upgrade_sessions.h:20:9: warning: async_accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
