// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-close-code' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --fix --checks='-*,errorshield-ws-close-code' -- -std=c++20 -nostdinc++ -isystem %mocks
// RUN: FileCheck %s --check-prefix=CHECK-FIXES --input-file=%t.cpp
// RUN: %clangxx -fsyntax-only -std=c++20 -nostdinc++ -isystem %mocks %t.cpp

#include "websocket.h"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

// ---- 1. Codes RFC 6455 reserves for local use ----

void kick_abnormal(websocket::stream<beast::tcp_stream> &ws) {
  ws.close(websocket::close_code::abnormal);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 1006 must not be sent in a close frame: it only reports locally that the connection closed without a close frame [ES-WS-005] [errorshield-ws-close-code]
}

void kick_no_status(websocket::stream<beast::tcp_stream> &ws, beast::error_code &ec) {
  ws.close(websocket::close_code::no_status, ec);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 1005 must not be sent in a close frame: it only reports locally that a close frame carried no status code [ES-WS-005] [errorshield-ws-close-code]
}

void kick_literal(websocket::stream<beast::tcp_stream> &ws) {
  ws.close(1006);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 1006 must not be sent in a close frame: it only reports locally that the connection closed without a close frame [ES-WS-005] [errorshield-ws-close-code]
  ws.close(websocket::close_reason(1005));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 1005 must not be sent in a close frame: it only reports locally that a close frame carried no status code [ES-WS-005] [errorshield-ws-close-code]
  ws.close(1015);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 1015 must not be sent in a close frame: it only reports locally that the TLS handshake failed [ES-WS-005] [errorshield-ws-close-code]
  ws.close(websocket::close_code::reserved3);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 1015 must not be sent in a close frame: it only reports locally that the TLS handshake failed [ES-WS-005] [errorshield-ws-close-code]
  ws.close(websocket::close_code::reserved1);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 1004 must not be sent in a close frame: RFC 6455 reserves it [ES-WS-005] [errorshield-ws-close-code]
}

struct session {
  websocket::stream<beast::tcp_stream> ws_;
  void on_idle() {
    ws_.async_close({websocket::close_code::abnormal, "idle"}, [](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: close code 1006 must not be sent in a close frame: it only reports locally that the connection closed without a close frame [ES-WS-005] [errorshield-ws-close-code]
  }
  void on_bad_frame() { ws_.async_close(websocket::close_code::protocol_error, [](beast::error_code) {}); }
  void on_overload() { ws_.async_close(4001, [](beast::error_code) {}); }
};

// ---- 2. Out of range ----

void out_of_range(websocket::stream<beast::tcp_stream> &ws) {
  ws.close(999);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 999 must not be sent in a close frame: codes below 1000 are not close codes [ES-WS-005] [errorshield-ws-close-code]
  ws.close(2000);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 2000 must not be sent in a close frame: it is reserved for the WebSocket protocol [ES-WS-005] [errorshield-ws-close-code]
  ws.close(5000);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 5000 must not be sent in a close frame: close codes end at 4999 [ES-WS-005] [errorshield-ws-close-code]
  ws.close(1016);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 1016 must not be sent in a close frame: it is reserved for the WebSocket protocol [ES-WS-005] [errorshield-ws-close-code]
  ws.close(2999);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 2999 must not be sent in a close frame: it is reserved for the WebSocket protocol [ES-WS-005] [errorshield-ws-close-code]
  websocket::close_reason standalone(1006);
// CHECK-MESSAGES: :[[@LINE-1]]:27: warning: close code 1006 must not be sent in a close frame: it only reports locally that the connection closed without a close frame [ES-WS-005] [errorshield-ws-close-code]
  websocket::close_reason braced{websocket::close_code::no_status, "x"};
// CHECK-MESSAGES: :[[@LINE-1]]:27: warning: close code 1005 must not be sent in a close frame: it only reports locally that a close frame carried no status code [ES-WS-005] [errorshield-ws-close-code]
  auto temp = websocket::close_reason(3000);
}

// A reason built only to record what happened (read field by field, never handed on) is not sent.
void record(websocket::stream<beast::tcp_stream> &ws, unsigned &last) {
  websocket::close_reason observed{websocket::close_code::abnormal};
  last = observed.code;
  websocket::close_reason logged_then_sent{websocket::close_code::abnormal};
// CHECK-MESSAGES: :[[@LINE-1]]:27: warning: close code 1006 must not be sent in a close frame: it only reports locally that the connection closed without a close frame [ES-WS-005] [errorshield-ws-close-code]
  last = logged_then_sent.code;
  ws.close(logged_then_sent);
}

// ---- 3. Codes a peer may receive ----

void fine(websocket::stream<beast::tcp_stream> &ws, unsigned short dynamic) {
  ws.close(websocket::close_code::normal);
  ws.close(websocket::close_code::going_away);
  ws.close(1000);
  ws.close(1003);
  ws.close(1007);
  ws.close(1014);
  ws.close(3000);
  ws.close(4999);
  ws.close(websocket::close_code::none); // Beast: a close frame without a status code
  ws.close(websocket::close_reason());
  ws.close("bye");
  ws.close(dynamic);
  websocket::close_reason ok(websocket::close_code::try_again_later, "later");
}

constexpr unsigned short kGoneCode = 1006;
void via_constant(websocket::stream<beast::tcp_stream> &ws) { ws.close(kGoneCode); }
// CHECK-MESSAGES: :[[@LINE-1]]:66: warning: close code 1006 must not be sent in a close frame: it only reports locally that the connection closed without a close frame [ES-WS-005] [errorshield-ws-close-code]

#define KICK_CODE 1005
void via_macro(websocket::stream<beast::tcp_stream> &ws) { ws.close(KICK_CODE); }
// CHECK-MESSAGES: :[[@LINE-1]]:63: warning: close code 1005 must not be sent in a close frame: it only reports locally that a close frame carried no status code [ES-WS-005] [errorshield-ws-close-code]

// ---- 4. Templates: reported once ----

template <class Stream> void shutdown_stream(websocket::stream<Stream> &ws) {
  ws.close(websocket::close_code::abnormal);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 1006 must not be sent in a close frame: it only reports locally that the connection closed without a close frame [ES-WS-005] [errorshield-ws-close-code]
}
template void shutdown_stream(websocket::stream<beast::tcp_stream> &);
template void shutdown_stream(websocket::stream<tcp::socket> &);

template <class Stream> void never_instantiated(websocket::stream<Stream> &ws) {
  ws.async_close(websocket::close_code::no_status, [](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 1005 must not be sent in a close frame: it only reports locally that a close frame carried no status code [ES-WS-005] [errorshield-ws-close-code]
}

// ---- 5. Not a websocket stream ----
struct file { void close(int) {} };
void other(file &f) { f.close(1006); }

// The fix-its: 1006 -> internal_error, 1005 -> normal (the catalog's FixItCodes). An enumerator keeps
// the qualifier the user wrote; a literal gets the catalog's spelling; constants and macros are left.
// CHECK-FIXES: ws.close(websocket::close_code::internal_error);
// CHECK-FIXES: ws.close(websocket::close_code::normal, ec);
// CHECK-FIXES: ws.close(boost::beast::websocket::close_code::internal_error);
// CHECK-FIXES: ws.close(websocket::close_reason(boost::beast::websocket::close_code::normal));
// CHECK-FIXES: ws.close(1015);
// CHECK-FIXES: ws.close(websocket::close_code::reserved3);
// CHECK-FIXES: ws_.async_close({websocket::close_code::internal_error, "idle"}, [](beast::error_code) {});
// CHECK-FIXES: websocket::close_reason standalone(boost::beast::websocket::close_code::internal_error);
// CHECK-FIXES: websocket::close_reason braced{websocket::close_code::normal, "x"};
// CHECK-FIXES: void via_constant(websocket::stream<beast::tcp_stream> &ws) { ws.close(kGoneCode); }
// CHECK-FIXES: void via_macro(websocket::stream<beast::tcp_stream> &ws) { ws.close(KICK_CODE); }
// CHECK-FIXES: ws.close(websocket::close_code::internal_error);
// CHECK-FIXES: ws.async_close(websocket::close_code::normal, [](beast::error_code) {});

// ---- 6. Codes chosen at run time among constants ----

void on_fatal(websocket::stream<beast::tcp_stream> &ws, bool vanished) {
  ws.close(vanished ? websocket::close_code::abnormal : websocket::close_code::internal_error);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 1006 must not be sent in a close frame: it only reports locally that the connection closed without a close frame [ES-WS-005] [errorshield-ws-close-code]
}
void from_unchanged_local(websocket::stream<beast::tcp_stream> &ws) {
  unsigned short code = 1005;
  ws.close(code);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 1005 must not be sent in a close frame: it only reports locally that a close frame carried no status code [ES-WS-005] [errorshield-ws-close-code]
}
void from_changed_local(websocket::stream<beast::tcp_stream> &ws, bool strict) {
  unsigned short code = 1005;
  if (strict)
    code = 1008;
  ws.close(code);
}
void both_allowed(websocket::stream<beast::tcp_stream> &ws, bool leaving) {
  ws.close(leaving ? websocket::close_code::going_away : websocket::close_code::normal);
}
// The arm spelled in the call is rewritten; the local's initializer is left to the user.
// CHECK-FIXES: ws.close(vanished ? websocket::close_code::internal_error : websocket::close_code::internal_error);
// CHECK-FIXES: unsigned short code = 1005;
// CHECK-FIXES-NEXT: ws.close(code);

// ---- A code handed to a function that closes with it: judged at the call ----

void close_with(websocket::stream<beast::tcp_stream> &ws, unsigned short code) { ws.close(code); }
template <class Next>
void close_with_notice(websocket::stream<Next> &ws, unsigned short code, const char *why) {
  ws.close(code);
}
unsigned short sanitize(unsigned short);
void close_sanitized(websocket::stream<beast::tcp_stream> &ws, unsigned short code) {
  code = sanitize(code); // changed before the close: the call's value is not what is sent
  ws.close(code);
}
void end_sessions(websocket::stream<beast::tcp_stream> &ws) {
  close_with(ws, 5000);
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: close code 5000 must not be sent in a close frame: close codes end at 4999 [ES-WS-005] [errorshield-ws-close-code]
// CHECK-MESSAGES: :[[@LINE-13]]:85: note: 'close_with' sends it in a close frame here
  close_with(ws, 4000);
  close_with_notice(ws, 1004, "legacy");
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: close code 1004 must not be sent in a close frame: RFC 6455 reserves it [ES-WS-005] [errorshield-ws-close-code]
// CHECK-MESSAGES: :[[@LINE-14]]:6: note: 'close_with_notice' sends it in a close frame here
  close_with_notice(ws, 4001, "kicked");
  close_sanitized(ws, 5001);
}

// A factory of close reasons: the code it is given is judged where it is called.
websocket::close_reason make_reason(unsigned short code, const char *why) {
  websocket::close_reason cr{code};
  (void)why;
  return cr;
}
void log_reason(unsigned short code) { websocket::close_reason cr{code}; (void)cr; } // not a factory
void evict(websocket::stream<beast::tcp_stream> &ws, unsigned short configured) {
  ws.close(make_reason(5001, "quota exceeded"));
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: close code 5001 must not be sent in a close frame: close codes end at 4999 [ES-WS-005] [errorshield-ws-close-code]
// CHECK-MESSAGES: :[[@LINE-8]]:27: note: 'make_reason' puts it in the close reason it returns here
  ws.close(make_reason(4409, "replaced"));
  ws.close(make_reason(configured, "configured"));
  log_reason(1006);
}
// A code handed on through two functions (`terminate(ws, code)` builds `make_reason(code, why)`)
// is judged at the outer function's calls.
void terminate(websocket::stream<beast::tcp_stream> &ws, unsigned short code) {
  ws.close(make_reason(code, "terminated"));
}
void on_violation(websocket::stream<beast::tcp_stream> &ws) {
  terminate(ws, 1016);
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: close code 1016 must not be sent in a close frame: it is reserved for the WebSocket protocol [ES-WS-005] [errorshield-ws-close-code]
// CHECK-MESSAGES: :[[@LINE-5]]:12: note: 'terminate' sends it in a close frame here
  terminate(ws, 4403);
}

// A parameter cast to the enum on its way into the close is still the code the caller chose.
void end_chat(websocket::stream<beast::tcp_stream> &ws, unsigned code, const char *why) {
  ws.close(websocket::close_reason(static_cast<websocket::close_code>(code), why));
}
void on_agent_lost(websocket::stream<beast::tcp_stream> &ws) {
  end_chat(ws, 1006, "agent lost");
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: close code 1006 must not be sent in a close frame: it only reports locally that the connection closed without a close frame [ES-WS-005] [errorshield-ws-close-code]
// CHECK-MESSAGES: :[[@LINE-5]]:6: note: 'end_chat' sends it in a close frame here
  end_chat(ws, 3000, "login expired");
}

// A code a function maps to: each value it returns is judged where it returns it.
enum class trip_end { completed, region_closed, vanished, fraud };
unsigned short code_for(trip_end e) {
  switch (e) {
  case trip_end::completed:
    return websocket::close_code::normal;
  case trip_end::region_closed:
    return 5003;
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: close code 5003 must not be sent in a close frame: close codes end at 4999 [ES-WS-005] [errorshield-ws-close-code]
// CHECK-MESSAGES: :250:6: note: the returned code is sent in a close frame here
  case trip_end::vanished:
    return websocket::close_code::abnormal;
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: close code 1006 must not be sent in a close frame: it only reports locally that the connection closed without a close frame [ES-WS-005] [errorshield-ws-close-code]
// CHECK-MESSAGES: :250:6: note: the returned code is sent in a close frame here
  case trip_end::fraud: {
    auto local = [] { return 1005; }; // a lambda's return is not the function's
    return local() == 1005 ? 4003 : 4004;
  }
  }
  return 4000;
}
unsigned short log_status(trip_end e) { return e == trip_end::vanished ? 1006 : 1000; } // logged only
void finish_trip(websocket::stream<beast::tcp_stream> &ws, trip_end e) {
  const unsigned short code = code_for(e);
  ws.close(websocket::close_reason(code));
  (void)log_status(e);
}

// A code counted up from a base: from the protocol's own range it soon reaches a reserved code;
// a mask or remainder bounds it.
void reject_offer(websocket::stream<beast::tcp_stream> &ws, int reason) {
  ws.close(websocket::close_reason(static_cast<unsigned short>(1000 + reason)));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 1000 + 'reason' can reach 1004, which must not be sent in a close frame: RFC 6455 reserves it [ES-WS-005] [errorshield-ws-close-code]
  ws.close(websocket::close_reason(static_cast<unsigned short>(4990 + reason % 20)));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 4990 + 'reason % 20' can reach 5000, which must not be sent in a close frame: close codes end at 4999 [ES-WS-005] [errorshield-ws-close-code]
  ws.close(websocket::close_reason(static_cast<unsigned short>(4100 + (reason & 0x0f))));
  ws.close(websocket::close_reason(static_cast<unsigned short>(1000 + (reason & 3))));
  ws.close(websocket::close_reason(static_cast<unsigned short>(4000 + reason)));
}

// A close reason handed down two helpers: close_with builds it from its code, close_raw sends it.
struct classroom_peer {
  websocket::stream<beast::tcp_stream> ws_;
  void close_raw(const websocket::close_reason &cr) { ws_.async_close(cr, [](beast::error_code) {}); }
  void close_with(websocket::close_code code, beast::string_view why) {
    close_raw(websocket::close_reason(code, why));
  }
  void end_class() { close_with(websocket::close_code::no_status, "class ended"); }
// CHECK-MESSAGES: :[[@LINE-1]]:33: warning: close code 1005 must not be sent in a close frame: it only reports locally that a close frame carried no status code [ES-WS-005] [errorshield-ws-close-code]
// CHECK-MESSAGES: :[[@LINE-4]]:5: note: 'close_with' sends it in a close frame here
  void drain() { close_with(websocket::close_code::going_away, "deploy"); }
  void expire() { close_raw(websocket::close_reason(websocket::close_code::abnormal, "expired")); }
// CHECK-MESSAGES: :[[@LINE-1]]:29: warning: close code 1006 must not be sent in a close frame: it only reports locally that the connection closed without a close frame [ES-WS-005] [errorshield-ws-close-code]
};

// A constant expression is judged by its value: 4000 + 1208 is past 4999, 4000 + 12 is fine.
constexpr unsigned short app_close(int catalogue_code) {
  return static_cast<unsigned short>(4000 + catalogue_code);
}
void close_app(websocket::stream<beast::tcp_stream> &ws, bool limit) {
  ws.close(websocket::close_reason(app_close(limit ? 1208 : 12)));
  ws.close(websocket::close_reason(app_close(1208)));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 5208 must not be sent in a close frame: close codes end at 4999 [ES-WS-005] [errorshield-ws-close-code]
  ws.close(websocket::close_reason(app_close(12)));
}

// A local reason built from a code parameter, then closed with: the code is judged at the calls.
void end_transcript(websocket::stream<beast::tcp_stream> &ws, unsigned short code) {
  websocket::close_reason cr{code};
  beast::error_code ec;
  ws.close(cr, ec);
}
void overflow(websocket::stream<beast::tcp_stream> &ws) {
  end_transcript(ws, 5001);
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: close code 5001 must not be sent in a close frame: close codes end at 4999 [ES-WS-005] [errorshield-ws-close-code]
// CHECK-MESSAGES: :[[@LINE-5]]:6: note: 'end_transcript' sends it in a close frame here
  end_transcript(ws, 4001);
}

// A code given as a template argument is chosen by each call that instantiates the function.
template <unsigned short Code>
void close_every(websocket::stream<beast::tcp_stream> &ws, const char *why) {
  ws.async_close(websocket::close_reason(static_cast<websocket::close_code>(Code), why),
                 [](beast::error_code) {});
}
constexpr unsigned short kLiftClosed = 1004;
void closures(websocket::stream<beast::tcp_stream> &ws) {
  close_every<websocket::close_code::going_away>(ws, "closed for the day");
  close_every<kLiftClosed>(ws, "storm");
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: close code 1004 must not be sent in a close frame: RFC 6455 reserves it [ES-WS-005] [errorshield-ws-close-code]
// CHECK-MESSAGES: :[[@LINE-8]]:6: note: the close in 'close_every' sends it here
  close_every<4400>(ws, "policy");
}

// A reason filled in field by field: the code last stored before the close is the one sent.
void write_failed(websocket::stream<beast::tcp_stream> &ws, bool retry) {
  websocket::close_reason cr;
  cr.code = websocket::close_code::try_again_later;
  if (!retry)
    cr.code = 1006;
// CHECK-FIXES: cr.code = boost::beast::websocket::close_code::internal_error;
  ws.async_close(cr, [](beast::error_code) {});
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: close code 1006 must not be sent in a close frame: it only reports locally that the connection closed without a close frame [ES-WS-005] [errorshield-ws-close-code]
}
void shutting_down(websocket::stream<beast::tcp_stream> &ws) {
  websocket::close_reason cr;
  cr.code = 1006;
  cr.code = websocket::close_code::going_away;
  ws.async_close(cr, [](beast::error_code) {});
}
