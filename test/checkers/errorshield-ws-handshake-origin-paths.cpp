// Where an Origin check sits decides whether it guards an accept: an accessor that returns the
// header checks nothing (its callers do), a verdict record's Origin field must be read, a check in
// the other branch of an `if` or a rejection that a further test can skip does not guard it, and a
// class member that checks before its own accept does not guard another member's accept.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-handshake-origin' -- -std=c++20 \
// RUN:   -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "websocket.h"

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;
using request = http::request<http::string_body>;

bool allowed(std::string_view origin);
void reject(tcp::socket &s);
void log_line(const char *);

// ---- An accessor: returns the header, the caller decides ----

class hub_session {
public:
  void on_request();
  void on_request_checked();
  void on_request_logged();

private:
  std::string_view origin() const { return req_[http::field::origin]; }
  websocket::stream<tcp::socket> ws_;
  request req_;
  bool host_ok() const;
};

void hub_session::on_request() {
  if (!host_ok())
    return;
  ws_.accept(req_);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}

void hub_session::on_request_checked() {
  if (!allowed(origin()))
    return;
  ws_.accept(req_);
}

// The accessor's answer is only logged: no check.
void hub_session::on_request_logged() {
  const std::string_view o = origin();
  if (o == "")
    log_line("no origin");
  ws_.accept(req_);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: accept accepts a handshake whose Origin header is never checked
}

// A free accessor handed the request: the same.
std::string_view origin_of(const request &req) { return req[http::field::origin]; }
void serve_free(tcp::socket s, request req) {
  if (!allowed(origin_of(req)))
    return reject(s);
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
}

// ---- A verdict record: its Origin field must be read ----

struct verdict {
  bool origin_ok = false;
  std::string user;
};
verdict inspect(const request &req) {
  verdict v;
  v.origin_ok = allowed(req[http::field::origin]);
  return v;
}

void serve_verdict_user_only(tcp::socket s, request req) {
  const verdict v = inspect(req);
  if (v.user.data() == nullptr)
    return;
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked
}

void serve_verdict(tcp::socket s, request req) {
  const verdict v = inspect(req);
  if (!v.origin_ok || v.user.data() == nullptr)
    return;
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
}

// ---- The check in the other branch of an `if` ----

void serve_versions(tcp::socket s, request req, bool v2) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  if (v2) {
    if (!allowed(req[http::field::origin]))
      return;
    ws.accept(req);
  } else {
    ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: accept accepts a handshake whose Origin header is never checked
  }
}

// ---- A rejection that a further test can skip ----

void serve_tolerant(tcp::socket s, request req, bool enforce) {
  if (!allowed(req[http::field::origin])) {
    if (enforce)
      return reject(s);
    log_line("origin outside the allow-list tolerated");
  }
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked
}

// Both branches of the inner test leave: a decision.
void serve_strict(tcp::socket s, request req, bool quiet) {
  if (!allowed(req[http::field::origin])) {
    if (quiet)
      return;
    else
      return reject(s);
  }
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
}

// ---- A member that checks before its own accept guards only that accept ----

class console_session {
public:
  void start() {
    if (req_.target() != "/console")
      return;
    ws_.accept(req_);
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: accept accepts a handshake whose Origin header is never checked
  }
  void start_checked() {
    if (!allowed(req_[http::field::origin]))
      return;
    ws_.accept(req_);
  }

private:
  websocket::stream<tcp::socket> ws_;
  request req_;
};

// A member that checks and hands over to the member that accepts still guards it.
class relay_session {
public:
  void on_read() {
    if (!allowed(req_[http::field::origin]))
      return;
    do_accept();
  }

private:
  void do_accept() { ws_.accept(req_); }
  websocket::stream<tcp::socket> ws_;
  request req_;
};

// ---- A function that checks Origin itself is where the check is made ----
// Another member of the class checks (origin_ok), but this function calls it: an accept it
// reaches without passing a deciding call is unguarded, whatever the class does elsewhere.

void lookup_badge(std::string_view badge, void (*done)(bool));

class kiosk_session {
public:
  void on_request(bool config_loaded, int route) {
    if (!config_loaded) {
      // Fail open when the allow-list did not load.
      ws_.async_accept(req_, [](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: async_accept accepts a handshake whose Origin header is never checked
      return;
    }
    if (route == 1) {
      if (!origin_ok())
        return reject(ws_.next_layer());
      ws_.async_accept(req_, [](beast::error_code) {});
    } else if (route == 2) {
      const bool known = origin_ok();
      if (!known)
        log_line("unknown origin");
      ws_.async_accept(req_, [](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: async_accept accepts a handshake whose Origin header is never checked
    } else if (route == 3) {
      auto finish = [this] { ws_.async_accept(req_, [](beast::error_code) {}); };
// CHECK-MESSAGES: :[[@LINE-1]]:34: warning: async_accept accepts a handshake whose Origin header is never checked
      finish();
    } else {
      if (!origin_ok())
        return;
      auto finish = [this] { ws_.async_accept(req_, [](beast::error_code) {}); };
      finish();
    }
  }

  // No check of its own: on_read checked before handing over (as in relay_session).
  void do_accept() { ws_.async_accept(req_, [](beast::error_code) {}); }
  void on_read() {
    if (!origin_ok())
      return;
    do_accept();
  }

private:
  bool origin_ok() const { return allowed(req_[http::field::origin]); }
  websocket::stream<tcp::socket> ws_;
  request req_;
};

// A read of Origin in the accept's own completion handler runs after the accept: it does not
// make this function the place of the check, and on_read's check still guards it.
void remember(std::string_view);
class tenant_session {
public:
  void on_read() {
    if (!origin_ok())
      return;
    do_accept();
  }

private:
  void do_accept() {
    ws_.async_accept(req_, [this](beast::error_code) { remember(req_[http::field::origin]); });
  }
  bool origin_ok() const { return allowed(req_[http::field::origin]); }
  websocket::stream<tcp::socket> ws_;
  request req_;
};

// A check made for one route (`target == "/alerts" && !allowed(...)`) guards only the accepts on
// that route; another route's accept after it is not guarded.
class route_session {
public:
  void on_request() {
    const std::string_view target = req_.target();
    if (target == "/alerts" && !allowed(req_[http::field::origin]))
      return;
    if (target == "/alerts") {
      ws_.async_accept(req_, [](beast::error_code) {});
    } else if (target == "/board") {
      ws_.async_accept(req_, [](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: async_accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
    }
  }

private:
  websocket::stream<tcp::socket> ws_;
  request req_;
};
