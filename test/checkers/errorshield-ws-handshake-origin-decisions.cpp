// Reading Origin is not checking it: a handshake is accepted all the same when the value is only
// logged, only tested for presence, or compared in an `if` that neither leaves nor accepts.
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

struct log_stream {
  log_stream &operator<<(std::string_view);
};
extern log_stream audit_log;
bool origin_allowed(std::string_view origin);

void logged_only(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  audit_log << "upgrade from " << req[http::field::origin];
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}

void log_line(std::string_view what, std::string_view value) { audit_log << what << value; }
void enforce_origin(std::string_view origin) {
  if (!origin_allowed(origin))
    throw 403;
}
void record_origin(std::string_view origin); // its body is elsewhere: it may decide

void handed_to_logger(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  log_line("upgrade from", req[http::field::origin]);
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}

// A library setter whose body is not parsed (as in clangd's preamble, or this mock) only copies
// the value into the response: judged by its name, it decides nothing.
void copied_into_response(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  http::response<http::string_body> res;
  res.set("Access-Control-Allow-Origin", req[http::field::origin]);
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}

void handed_to_validator(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  enforce_origin(req[http::field::origin]);
  ws.accept(req);
}

void handed_to_unseen(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  record_origin(req[http::field::origin]);
  ws.accept(req);
}

void presence_only(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  if (req[http::field::origin].empty())
    return;
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}

void mismatch_logged(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  auto origin = req[http::field::origin];
  if (!origin_allowed(origin)) {
    audit_log << "unexpected origin " << origin;
  }
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}

// ---- Decisions: quiet ----

void rejected(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  auto origin = req[http::field::origin];
  audit_log << "upgrade from " << origin;
  if (origin.empty() || !origin_allowed(origin))
    return;
  ws.accept(req);
}

void accepted_in_branch(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  if (origin_allowed(req[http::field::origin])) {
    ws.accept(req);
  }
}

void through_a_flag(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  const bool trusted = origin_allowed(req[http::field::origin]);
  if (!trusted)
    throw 403;
  ws.accept(req);
}

bool check_origin(const request &req) { return origin_allowed(req[http::field::origin]); }

void through_a_validator(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  if (!check_origin(req))
    return;
  ws.accept(req);
}

// ---- A request produced by a function that checks its Origin ----

request read_checked_upgrade(tcp::socket &s) {
  request req;
  if (req[http::field::origin] != "https://app.example.com")
    throw 403;
  return req;
}
request read_upgrade(tcp::socket &s) { return request{}; }
void serve_console(tcp::socket s) {
  auto req = read_checked_upgrade(s);
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
}
void serve_unchecked(tcp::socket s) {
  auto req = read_upgrade(s);
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}

// ---- A validator whose verdict nothing acts on ----

bool agent_origin_allowed(const request &req) { return req[http::field::origin] == "https://desk"; }
void log_line(const char *);
void serve_agent(tcp::socket s, request req) {
  const bool trusted = agent_origin_allowed(req);
  if (!trusted)
    log_line("agent console opened from an unexpected origin");
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}
void serve_agent_checked(tcp::socket s, request req) {
  const bool trusted = agent_origin_allowed(req);
  if (!trusted)
    return;
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
}

// ---- A check placed after an accept in the same function does not cover it ----

void serve_widget(tcp::socket s, request req, bool legacy) {
  if (legacy) { // an early route accepted before the check below
    websocket::stream<tcp::socket> old{std::move(s)};
    old.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
    return;
  }
  if (!agent_origin_allowed(req))
    return;
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
}

// ---- A verdict stored only into the reply being built decides nothing ----

struct hello_reply {
  bool &operator[](std::string_view key);
};
void send_hello(const hello_reply &);
void serve_escalation(tcp::socket s, request req) {
  const bool trusted = origin_allowed(req[http::field::origin]);
  bool internal;
  internal = trusted;
  hello_reply hello;
  hello["internal"] = internal;
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
  send_hello(hello);
}
void serve_escalation_checked(tcp::socket s, request req) {
  const bool trusted = origin_allowed(req[http::field::origin]);
  bool internal;
  internal = trusted; // a local assigned the verdict, then tested
  if (!internal)
    return;
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
}
struct escalation_gate {
  bool origin_ok_ = false;
  void on_upgrade(tcp::socket s, request req) {
    origin_ok_ = origin_allowed(req[http::field::origin]); // a member: read elsewhere
    websocket::stream<tcp::socket> ws{std::move(s)};
    ws.accept(req);
  }
};

// A copy of the header decides where it is tested, not where it is taken: after the accept, the
// cross-site page is already connected.
void copy_tested_after_accept(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  std::string_view origin = req[http::field::origin];
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
  if (!origin_allowed(origin)) {
    ws.close(websocket::close_code::policy_error);
    return;
  }
}
void copy_tested_before_accept(tcp::socket s, request req) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  std::string_view origin = req[http::field::origin];
  if (!origin_allowed(origin))
    return;
  ws.accept(req);
}
// An out-parameter is read by the caller once this function has returned: after the accept.
void origin_handed_back(tcp::socket s, request req, std::string_view &seen_origin) {
  seen_origin = req[http::field::origin];
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
}
// A function that only hands the header back accepts nothing: its caller decides before.
void origin_of(const request &req, std::string_view &seen_origin) {
  seen_origin = req[http::field::origin];
}
void caller_decides_first(tcp::socket s, request req) {
  std::string_view origin{""};
  origin_of(req, origin);
  if (!origin_allowed(origin))
    return;
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
}
// So does a validator's verdict kept in a local.
bool request_origin_allowed(const request &req) {
  return origin_allowed(req[http::field::origin]);
}
void verdict_tested_after_accept(tcp::socket s, request req) {
  const bool trusted = request_origin_allowed(req);
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
  if (!trusted)
    return;
}
void verdict_tested_before_accept(tcp::socket s, request req) {
  const bool trusted = request_origin_allowed(req);
  if (!trusted)
    return;
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept(req);
}
