// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-upgrade-header' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "asio_io.h"
#include <set>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

// ---- 1. Upgrade: h2c on a message written to a TLS stream ----

void probe_tls(beast::ssl_stream<beast::tcp_stream> &stream) {
  http::request<http::empty_body> req;
  req.set(http::field::host, "api.example.com");
  req.set(http::field::connection, "Upgrade, HTTP2-Settings");
  req.set(http::field::upgrade, "h2c");
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :25:3: note: the message is written to a TLS stream here
  http::write(stream, req);
}

class upstream_client {
  ssl::stream<beast::tcp_stream> stream_;
  http::request<http::string_body> req_;

public:
  void send() {
    req_.base().insert("Upgrade", "websocket, h2c");
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :37:5: note: the message is written to a TLS stream here
    http::async_write(stream_, req_, [](beast::error_code, std::size_t) {});
  }
  void send_ws_upgrade() {
    req_.set(http::field::upgrade, "websocket"); // not h2c
    http::async_write(stream_, req_, [](beast::error_code, std::size_t) {});
  }
};

void probe_cleartext(beast::tcp_stream &stream) {
  http::request<http::empty_body> req;
  req.set(http::field::upgrade, "h2c"); // cleartext: this is how h2c starts
  http::write(stream, req);
}

void build_only(http::request<http::empty_body> &req) {
  req.set(http::field::upgrade, "h2c"); // written elsewhere: not judged
}

// ---- 2. Proxies copying headers from one message to another ----

bool is_hop_by_hop(http::field name);

void forward_all(const http::request<http::string_body> &client_req,
                 http::request<http::string_body> &upstream_req) {
  for (auto const &f : client_req)
    upstream_req.set(f.name_string(), f.value());
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: header copy loop forwards the hop-by-hop headers 'Connection' and 'Upgrade': the next hop acts on connection headers that were never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :61:3: note: skip the hop-by-hop headers (Connection, Keep-Alive, Proxy-Authenticate, Proxy-Authorization, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade, and any named in Connection), e.g. with a helper such as is_hop_by_hop(field)
}

void forward_some(const http::response<http::string_body> &upstream_res,
                  http::response<http::string_body> &client_res) {
  for (auto it = upstream_res.begin(); it != upstream_res.end(); ++it) {
    if (it->name() == http::field::connection || it->name() == http::field::server)
      continue;
    client_res.insert(it->name(), it->name_string(), it->value());
// CHECK-MESSAGES: :[[@LINE-1]]:16: warning: header copy loop forwards the hop-by-hop header 'Upgrade': the next hop acts on connection headers that were never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :69:3: note: skip the hop-by-hop headers (Connection, Keep-Alive, Proxy-Authenticate, Proxy-Authorization, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade, and any named in Connection), e.g. with a helper such as is_hop_by_hop(field)
  }
}

void forward_skipping_hops(const http::request<http::string_body> &in,
                           http::request<http::string_body> &out) {
  for (auto const &f : in.base()) {
    switch (f.name()) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::te:
    case http::field::trailer:
    case http::field::transfer_encoding:
    case http::field::upgrade:
      continue;
    default:
      out.insert(f.name(), f.name_string(), f.value());
    }
  }
}

void forward_by_name(const http::request<http::string_body> &in,
                     http::request<http::string_body> &out) {
  for (auto const &f : in) {
    const std::string_view name = f.name_string();
    if (name == "Connection" || name == "Upgrade" || name == "Keep-Alive" || name == "TE")
      continue;
    out.set(name, f.value());
  }
}

void forward_with_helper(const http::request<http::string_body> &in,
                         http::request<http::string_body> &out) {
  for (auto const &f : in) {
    if (is_hop_by_hop(f.name()))
      continue;
    out.set(f.name_string(), f.value());
  }
}

void forward_with_set(const http::request<http::string_body> &in,
                      http::request<http::string_body> &out, const std::set<std::string_view> &hops) {
  for (auto const &f : in)
    if (!hops.count(f.name_string()))
      out.set(f.name_string(), f.value());
}

void log_headers(const http::request<http::string_body> &in, http::response<http::string_body> &out) {
  for (auto const &f : in)
    (void)f.value(); // looks, copies nothing
  out.set(http::field::server, "gateway"); // a single header, outside any copy loop
}

// An allow-list copies only the headers it names.
void forward_allowed(const http::request<http::string_body> &in,
                     http::request<http::string_body> &out) {
  for (auto const &f : in)
    if (f.name() == http::field::host || f.name() == http::field::user_agent)
      out.set(f.name(), f.value());
}

void forward_allowed_with_upgrade(const http::request<http::string_body> &in,
                                  http::request<http::string_body> &out) {
  for (auto const &f : in)
    if (f.name() == http::field::upgrade || f.name() == http::field::host)
      out.set(f.name(), f.value());
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: header copy loop forwards the hop-by-hop header 'Upgrade': the next hop acts on connection headers that were never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: skip the hop-by-hop headers (Connection, Keep-Alive, Proxy-Authenticate, Proxy-Authorization, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade, and any named in Connection), e.g. with a helper such as is_hop_by_hop(field)
}

// The field copied through locals taken from it.
void forward_through_locals(const http::request<http::string_body> &in,
                            http::request<http::string_body> &out) {
  for (auto const &f : in) {
    const std::string name(f.name_string());
    const std::string value(f.value());
    out.set(name, value);
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: header copy loop forwards the hop-by-hop headers 'Connection' and 'Upgrade': the next hop acts on connection headers that were never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE-5]]:3: note: skip the hop-by-hop headers (Connection, Keep-Alive, Proxy-Authenticate, Proxy-Authorization, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade, and any named in Connection), e.g. with a helper such as is_hop_by_hop(field)
  }
}

// h2c only on the cleartext branch; the TLS branch writes the message without it.
void probe_either(beast::tcp_stream &plain, beast::ssl_stream<beast::tcp_stream> &tls, bool secure) {
  http::request<http::empty_body> req;
  if (!secure) {
    req.set(http::field::upgrade, "h2c");
    http::write(plain, req);
  } else {
    http::write(tls, req);
  }
}

// Names compared through constants are the constants' values.
constexpr std::string_view kConnectionHeader = "Connection";
constexpr std::string_view kUpgradeHeader = "Upgrade";
void forward_skipping_constants(const http::request<http::string_body> &in,
                                http::request<http::string_body> &out) {
  for (auto const &f : in) {
    if (f.name_string() == kConnectionHeader || f.name_string() == kUpgradeHeader)
      continue;
    out.set(f.name_string(), f.value());
  }
}

// ---- 3. Connection or Upgrade copied by name from the client's message ----

void forward_upgrade(const http::request<http::string_body> &in,
                     http::request<http::string_body> &out) {
  out.set(http::field::upgrade, in[http::field::upgrade]);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'Upgrade' copied from another message: the next hop acts on a hop-by-hop header that was never meant for it, and a client's 'Upgrade: h2c' reaches the backend [ES-PROTOCOL-001] [errorshield-upgrade-header]
  out.set("Connection", in["Connection"]);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'Connection' copied from another message: the next hop acts on a hop-by-hop header that was never meant for it, and a client's 'Upgrade: h2c' reaches the backend [ES-PROTOCOL-001] [errorshield-upgrade-header]
  out.set(http::field::host, in[http::field::host]); // not hop-by-hop
}

// The other hop-by-hop headers: the same finding, without the h2c consequence.
void forward_hop_headers(const http::request<http::string_body> &in,
                         http::request<http::string_body> &out,
                         const http::response<http::string_body> &upstream,
                         http::response<http::string_body> &res) {
  out.set("Keep-Alive", in["Keep-Alive"]);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'Keep-Alive' copied from another message: the next hop acts on a hop-by-hop header that was never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
  out.set(http::field::proxy_authorization, in[http::field::proxy_authorization]);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'Proxy-Authorization' copied from another message: the next hop acts on a hop-by-hop header that was never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
  res.set(http::field::transfer_encoding, upstream[http::field::transfer_encoding]);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'Transfer-Encoding' copied from another message: the next hop acts on a hop-by-hop header that was never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
  out.set(http::field::user_agent, in[http::field::user_agent]); // end-to-end
  res.set(http::field::te, "trailers");                          // the proxy's own value
}

// A WebSocket-aware proxy forwards the upgrade it has checked.
bool iequals(std::string_view, std::string_view);
void forward_websocket_upgrade(const http::request<http::string_body> &in,
                               http::request<http::string_body> &out) {
  if (iequals(in[http::field::upgrade], "websocket")) {
    out.set(http::field::upgrade, in[http::field::upgrade]);
    out.set(http::field::connection, in[http::field::connection]);
  }
}

// ---- 5. The h2c offer set in one function, the message written to TLS by another ----

// A helper that offers h2c on the request it is given: fine for cleartext callers, a finding at
// the call that hands it a request bound for TLS.
void add_h2c_offer(http::request<http::empty_body> &req) {
  req.set(http::field::upgrade, "h2c");
}
void probe_via_helper(beast::ssl_stream<beast::tcp_stream> &tls, beast::tcp_stream &plain) {
  http::request<http::empty_body> secure_req;
  add_h2c_offer(secure_req);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'Upgrade: h2c' set by 'add_h2c_offer' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :220:7: note: 'add_h2c_offer' sets it here
// CHECK-MESSAGES: :[[@LINE+1]]:3: note: the message is written to a TLS stream here
  http::write(tls, secure_req);
  http::request<http::empty_body> plain_req;
  add_h2c_offer(plain_req);
  http::write(plain, plain_req);
}

// A helper every caller of which writes to TLS is itself the mistake: reported at its set.
void stamp_upstream_headers(http::request<http::empty_body> &req) {
  req.set(http::field::upgrade, "h2c");
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE+6]]:3: note: the message is written to a TLS stream here
}
void push_upstream(beast::ssl_stream<beast::tcp_stream> &tls) {
  http::request<http::empty_body> req;
  stamp_upstream_headers(req);
  req.set(http::field::host, "lims.internal");
  http::write(tls, req);
}

// A builder whose caller writes the request it returns to TLS.
http::request<http::empty_body> make_batch() {
  http::request<http::empty_body> req;
  req.set(http::field::upgrade, "h2c");
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE+6]]:3: note: the message is written to a TLS stream here
  return req;
}
void write_batch(beast::ssl_stream<beast::tcp_stream> &tls) {
  auto batch = make_batch();
  batch.set(http::field::host, "tsdb.internal");
  http::write(tls, batch);
}
http::request<http::empty_body> make_probe() {
  http::request<http::empty_body> req;
  req.set(http::field::upgrade, "h2c"); // only ever written in cleartext
  return req;
}
void write_probe(beast::tcp_stream &plain) {
  auto probe = make_probe();
  http::write(plain, probe);
}

// A function template: the instantiation with a TLS stream is reported where it is called.
template <class Stream> void send_with_upgrade(Stream &s) {
  http::request<http::empty_body> req;
  req.set(http::field::upgrade, "h2c");
  http::write(s, req);
}
void warm_up(beast::tcp_stream &plain, beast::ssl_stream<beast::tcp_stream> &secure) {
  send_with_upgrade(plain);
  send_with_upgrade(secure);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'Upgrade: h2c' set by 'send_with_upgrade' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE-7]]:7: note: 'send_with_upgrade' sets it here
// CHECK-MESSAGES: :[[@LINE-7]]:3: note: the message is written to a TLS stream here
}
// A template instantiated only with TLS streams is reported at its own set: that line is the fix.
template <class Stream> void fetch_blob(Stream &s) {
  http::request<http::empty_body> req;
  req.set(http::field::upgrade, "h2c");
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE+1]]:3: note: the message is written to a TLS stream here
  http::write(s, req);
}
void mirror(beast::ssl_stream<beast::tcp_stream> &upstream, beast::ssl_stream<beast::tcp_stream> &peer) {
  fetch_blob(upstream);
  fetch_blob(peer);
}

// ---- 6. A message copied whole from another, then sent on ----

using proxy_request = http::request<http::string_body>;
proxy_request relay_presence(const proxy_request &in) {
  proxy_request out = in;
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'out' is copied whole from 'in', with its hop-by-hop headers 'Connection' and 'Upgrade': the next hop acts on connection headers that were never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
  out.erase(http::field::keep_alive);
  return out;
}
void forward_base(beast::tcp_stream &backend, const proxy_request &client) {
  proxy_request out;
  out.base() = client.base();
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'out' is copied whole from 'client', with its hop-by-hop header 'Upgrade': the next hop acts on connection headers that were never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
  out.set(http::field::connection, "close");
  http::write(backend, out);
}
// Scrubbed after the copy, directly or by a helper: quiet.
void strip_hop_by_hop(proxy_request &r) {
  r.erase(http::field::connection);
  r.erase(http::field::upgrade);
}
proxy_request relay_upload(const proxy_request &in) {
  proxy_request out = in;
  strip_hop_by_hop(out);
  return out;
}
proxy_request relay_scrubbed(const proxy_request &in) {
  proxy_request out = in;
  out.erase(http::field::connection);
  out.erase(http::field::upgrade);
  return out;
}
// A copy that stays here (kept for logging) is not forwarded.
void log_copy(const proxy_request &in) {
  proxy_request snapshot = in;
  (void)snapshot;
}

// ---- A message read from one stream and written as it is to another: a relay ----

class bid_relay {
  beast::tcp_stream client_, engine_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> res_;
  http::request<http::string_body> req_;
  http::response<http::string_body> scrubbed_;
  void on_request() { http::async_read(engine_, buffer_, res_, [](beast::error_code, std::size_t) {}); }
  void on_response() {
    res_.set("X-Edge", "fra-2");
    http::async_write(client_, res_, [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'res_', read from 'engine_', is written to 'client_' with its hop-by-hop headers 'Connection' and 'Upgrade': the next hop acts on connection headers that were never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE-5]]:23: note: read here
  }
  void echo() { // read and written on the same stream: not relayed to another hop
    http::read(client_, buffer_, req_);
    http::write(client_, req_);
  }
  void relay_scrubbed() {
    http::read(engine_, buffer_, scrubbed_);
    scrubbed_.keep_alive(true);
    scrubbed_.erase(http::field::upgrade);
    http::write(client_, scrubbed_);
  }
};
void forward_once(beast::tcp_stream &from, beast::tcp_stream &to, beast::flat_buffer &b) {
  http::request<http::string_body> req;
  http::read(from, b, req);
  strip_hop_by_hop(req); // a helper of the project may clean it
  http::write(to, req);
  http::request<http::string_body> raw;
  http::read(from, b, raw);
  raw.erase(http::field::connection);
  http::write(to, raw);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'raw', read from 'from', is written to 'to' with its hop-by-hop header 'Upgrade': the next hop acts on connection headers that were never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: read here
}

// ---- The message handed to a function that writes it: to TLS, or to cleartext TCP ----
extern beast::ssl_stream<beast::tcp_stream> custody_link;
extern beast::tcp_stream risk_link;
void send_to_custody(http::request<http::string_body> up) {
  http::write(custody_link, up);
}
void send_to_risk(http::request<http::string_body> up) { http::write(risk_link, up); }
void withdraw() {
  http::request<http::string_body> up;
  up.set(http::field::upgrade, "h2c");
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE-7]]:3: note: the message is written to a TLS stream here
  send_to_custody(std::move(up));
  http::request<http::string_body> probe;
  probe.set(http::field::upgrade, "h2c"); // cleartext: a legitimate h2c offer
  send_to_risk(std::move(probe));
}

// ---- A relay whose message is only read by a project helper (a const reference) ----
void copy_end_to_end(const http::request<http::string_body> &in, http::request<http::string_body> &out);
void relay_with_copy(beast::tcp_stream &from, beast::tcp_stream &to, beast::flat_buffer &b) {
  http::request<http::string_body> req, out;
  http::read(from, b, req);
  copy_end_to_end(req, out); // reads req; cannot clean it
  http::write(to, req);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'req', read from 'from', is written to 'to' with its hop-by-hop headers 'Connection' and 'Upgrade': the next hop acts on connection headers that were never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: read here
}

// ---- A relay in a class template: judged in its instantiations, reported once ----
template <class ClientStream> class sse_proxy {
  ClientStream client_;
  beast::tcp_stream upstream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;

public:
  void on_read() { http::async_read(client_, buffer_, req_, [](beast::error_code, std::size_t) {}); }
  void forward() {
    http::async_write(upstream_, req_, [](beast::error_code, std::size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'req_', read from 'client_', is written to 'upstream_' with its hop-by-hop headers 'Connection' and 'Upgrade': the next hop acts on connection headers that were never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE-4]]:20: note: read here
  }
};
template class sse_proxy<beast::tcp_stream>;
template class sse_proxy<beast::ssl_stream<beast::tcp_stream>>;

// ---- HTTP2-Settings goes only with an h2c upgrade: over TLS it is reported on its own line ----
void probe_tls_with_settings(beast::ssl_stream<beast::tcp_stream> &stream, const std::string &b64) {
  http::request<http::empty_body> req;
  req.set(http::field::upgrade, "h2c");
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'Upgrade: h2c' on a message written to a TLS stream
// CHECK-MESSAGES: :[[@LINE+5]]:3: note: the message is written to a TLS stream here
  req.set(http::field::http2_settings, b64);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'HTTP2-Settings' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE+2]]:3: note: the message is written to a TLS stream here
  req.insert("http2-settings", "AAMAAABkAAQAAP__"); // the same header again: reported at its line
  http::write(stream, req);
// CHECK-MESSAGES: :[[@LINE-2]]:7: warning: 'HTTP2-Settings' on a message written to a TLS stream
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: the message is written to a TLS stream here
}
void probe_cleartext_with_settings(beast::tcp_stream &stream, const std::string &b64) {
  http::request<http::empty_body> req;
  req.set(http::field::upgrade, "h2c"); // cleartext: fine
  req.set(http::field::http2_settings, b64);
  http::write(stream, req);
}

// ---- A helper with several callers: each one that writes to TLS is reported ----
void add_h2c_offer_and_settings(http::request<http::empty_body> &req) {
  req.set(http::field::upgrade, "h2c");
  req.set(http::field::http2_settings, "AAMAAABkAAQAAP__");
}
void first_tls_caller(beast::ssl_stream<beast::tcp_stream> &tls) {
  http::request<http::empty_body> req;
  add_h2c_offer_and_settings(req);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'Upgrade: h2c' set by 'add_h2c_offer_and_settings' on a message written to a TLS stream
// CHECK-MESSAGES: :[[@LINE-7]]:7: note: 'add_h2c_offer_and_settings' sets it here
// CHECK-MESSAGES: :[[@LINE+1]]:3: note: the message is written to a TLS stream here
  http::write(tls, req);
}
void cleartext_caller(beast::tcp_stream &plain) {
  http::request<http::empty_body> req;
  add_h2c_offer_and_settings(req);
  http::write(plain, req);
}
void second_tls_caller(beast::ssl_stream<beast::tcp_stream> &tls) {
  http::request<http::empty_body> req;
  add_h2c_offer_and_settings(req);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'Upgrade: h2c' set by 'add_h2c_offer_and_settings' on a message written to a TLS stream
// CHECK-MESSAGES: :[[@LINE-20]]:7: note: 'add_h2c_offer_and_settings' sets it here
// CHECK-MESSAGES: :[[@LINE+1]]:3: note: the message is written to a TLS stream here
  http::write(tls, req);
}

// ---- The token in a named constant ----
constexpr const char kH2cToken[] = "h2c";
static const char *const kWebSocketToken = "websocket";

void constant_token(beast::ssl_stream<beast::tcp_stream> &tls) {
  http::request<http::empty_body> req;
  req.set(http::field::upgrade, kH2cToken);
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE+1]]:3: note: the message is written to a TLS stream here
  http::write(tls, req);
}

// A constant with another token, and a variable whose value the check does not follow.
void other_tokens(beast::ssl_stream<beast::tcp_stream> &tls, bool legacy) {
  http::request<http::empty_body> req;
  req.set(http::field::upgrade, kWebSocketToken);
  std::string token = "h2c";
  if (!legacy)
    token = "websocket";
  req.set(http::field::upgrade, token);
  http::write(tls, req);
}

// With no H2cSettingsFields, HTTP2-Settings is a header like any other (prefix NOSETTINGS).
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-upgrade-header' \
// RUN:   -config="{CheckOptions: {errorshield-upgrade-header.H2cSettingsFields: ''}}" \
// RUN:   -- -std=c++20 -isystem %mocks | FileCheck %s --check-prefix=NOSETTINGS
// NOSETTINGS: warning: 'Upgrade: h2c' on a message written to a TLS stream
// NOSETTINGS-NOT: warning: 'HTTP2-Settings'

// A data member message, set by one member function and written to TLS by another it calls on
// `this`; the same through the add_h2c_offer helper. Over cleartext TCP: quiet.
#include <memory>
class tower_link {
public:
  void push(bool offer) {
    pending_ = std::make_unique<http::request<http::empty_body>>();
    if (offer)
      pending_->set(http::field::upgrade, "h2c");
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE+13]]:17: note: the message is written to a TLS stream here
    send();
  }
  void push_recital() {
    pending_ = std::make_unique<http::request<http::empty_body>>();
    add_h2c_offer(*pending_);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'Upgrade: h2c' set by 'add_h2c_offer' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :220:7: note: 'add_h2c_offer' sets it here
// CHECK-MESSAGES: :[[@LINE+5]]:17: note: the message is written to a TLS stream here
    send();
  }

private:
  void send() { http::write(*stream_, *pending_); }
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream_;
  std::unique_ptr<http::request<http::empty_body>> pending_;
};
class lan_tower_link {
public:
  void push() {
    pending_ = std::make_unique<http::request<http::empty_body>>();
    pending_->set(http::field::upgrade, "h2c");
    add_h2c_offer(*pending_);
    send();
  }

private:
  void send() { http::write(*stream_, *pending_); }
  std::unique_ptr<beast::tcp_stream> stream_;
  std::unique_ptr<http::request<http::empty_body>> pending_;
};

// The same member written by a member function called on the session a handler keeps alive
// (`self->transmit()`), which writes `self->req_`.
class results_upload : public std::enable_shared_from_this<results_upload> {
public:
  void upload(bool offer) {
    if (offer)
      req_.set(http::field::upgrade, "h2c");
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE+7]]:5: note: the message is written to a TLS stream here
    auto self = shared_from_this();
    self->transmit();
  }

private:
  void transmit() {
    http::async_write(stream_, shared_from_this()->req_, [](auto...) {});
  }
  beast::ssl_stream<beast::tcp_stream> stream_;
  http::request<http::empty_body> req_;
};

// ---- The TLS uplink's own decorate() override, and a template whose stream parameter is TLS
// whatever its argument: the set itself is the mistake. The cleartext uplink's is fine. ----
struct uplink {
  virtual ~uplink() = default;
  virtual void decorate(http::request<http::empty_body> &req) = 0;
  virtual void publish() = 0;
};
class plain_uplink : public uplink {
public:
  void decorate(http::request<http::empty_body> &req) override {
    req.set(http::field::upgrade, "h2c");
  }
  void publish() override {
    http::request<http::empty_body> req;
    decorate(req);
    http::write(stream_, req);
  }

private:
  beast::tcp_stream stream_;
};
class tls_uplink : public uplink {
public:
  void decorate(http::request<http::empty_body> &req) override {
    req.set(http::field::upgrade, "h2c");
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE+5]]:5: note: the message is written to a TLS stream here
  }
  void publish() override {
    http::request<http::empty_body> req;
    decorate(req);
    http::write(stream_, req);
  }

private:
  beast::ssl_stream<beast::tcp_stream> stream_;
};
template <class Next> void ack_upgrade(net::ssl::stream<Next> &s) {
  http::response<http::empty_body> res;
  res.set(http::field::upgrade, "h2c");
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE+1]]:3: note: the message is written to a TLS stream here
  http::write(s, res);
}
void ack_both(net::ssl::stream<beast::tcp_stream> &a, net::ssl::stream<net::ip::tcp::socket> &b) {
  ack_upgrade(a);
  ack_upgrade(b);
}

// ---- A request written by hand, with an Upgrade: h2c line, sent to a TLS stream ----
void probe_by_hand(beast::ssl_stream<beast::tcp_stream> &tls, const std::string &host) {
  const std::string raw = "OPTIONS * HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: h2c\r\n\r\n";
// CHECK-MESSAGES: :[[@LINE-1]]:72: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE+1]]:3: note: the message is written to a TLS stream here
  net::write(tls, net::buffer(raw));
  net::write(tls, net::buffer("GET / HTTP/1.1\r\nupgrade:h2c\r\n\r\n"));
// CHECK-MESSAGES: :[[@LINE-1]]:50: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: the message is written to a TLS stream here
}
void log_line(const char *);
void probe_by_hand_cleartext(beast::tcp_stream &plain, beast::ssl_stream<beast::tcp_stream> &tls) {
  const std::string raw = "OPTIONS * HTTP/1.1\r\nUpgrade: h2c\r\n\r\n";
  net::write(plain, net::buffer(raw));
  log_line("peer offered Upgrade: h2c, ignored"); // not a header line, and not written
  net::write(tls, net::buffer("GET / HTTP/1.1\r\nX-Note: Upgrade: h2c is off\r\n\r\n"));
}

// Spread over lines, appended to, or in a template instantiated for a TLS stream: the finding is
// at the line that holds the Upgrade header.
void probe_appended(beast::ssl_stream<beast::tcp_stream> &tls, const std::string &host) {
  std::string probe = "OPTIONS * HTTP/1.1\r\nHost: " + host + "\r\n";
  probe += "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n";
// CHECK-MESSAGES: :[[@LINE-1]]:52: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE+2]]:3: note: the message is written to a TLS stream here
  probe += "\r\n";
  net::write(tls, net::buffer(probe));
}
template <class SyncStream> void backfill_by_hand(SyncStream &s, const std::string &host) {
  std::string head = "POST /backfill HTTP/1.1\r\n"
                     "Host: " + host + "\r\n"
                     "Connection: Upgrade, HTTP2-Settings\r\n"
                     "Upgrade: h2c\r\n"
// CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE+2]]:3: note: the message is written to a TLS stream here
                     "\r\n";
  net::write(s, net::buffer(head));
}
template void backfill_by_hand(beast::ssl_stream<beast::tcp_stream> &, const std::string &);
void probe_appended_cleartext(beast::tcp_stream &plain) {
  std::string probe = "OPTIONS * HTTP/1.1\r\n";
  probe += "Upgrade: h2c\r\n\r\n";
  net::write(plain, net::buffer(probe));
}

// A copy loop into a local whose hop-by-hop headers are erased after the loop is clean; erased
// only on the other branch of an `if`, they are still forwarded.
http::request<http::string_body> relay_fault(const http::request<http::string_body> &in) {
  http::request<http::string_body> fwd;
  for (auto const &f : in)
    fwd.set(f.name_string(), f.value());
  fwd.erase(http::field::connection);
  fwd.erase(http::field::upgrade);
  return fwd;
}
http::request<http::string_body> relay_error(const http::request<http::string_body> &in,
                                             bool raw) {
  http::request<http::string_body> fwd;
  if (raw) {
    for (auto const &f : in)
      fwd.set(f.name_string(), f.value());
// CHECK-MESSAGES: :[[@LINE-1]]:11: warning: header copy loop forwards the hop-by-hop headers 'Connection' and 'Upgrade': the next hop acts on connection headers that were never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: skip the hop-by-hop headers (Connection, Keep-Alive, Proxy-Authenticate, Proxy-Authorization, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade, and any named in Connection), e.g. with a helper such as is_hop_by_hop(field)
  } else {
    fwd.erase(http::field::connection);
    fwd.erase(http::field::upgrade);
  }
  return fwd;
}

// A data member request written to TLS by a handler of its class that nothing here calls by name
// (registered as a member function pointer) is the class's request bound for TLS.
template <class F> void on_ready(F) {}
class purge_notifier {
public:
  void notify() {
    req_.set("Upgrade", "h2c");
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE+5]]:25: note: the message is written to a TLS stream here
    on_ready(&purge_notifier::on_connected);
  }

private:
  void on_connected() { http::write(stream_, req_); }
  beast::ssl_stream<beast::tcp_stream> stream_;
  http::request<http::empty_body> req_;
};
class lan_purge_notifier {
public:
  void notify() {
    req_.set("Upgrade", "h2c");
    on_ready(&lan_purge_notifier::on_connected);
  }

private:
  void on_connected() { http::write(stream_, req_); }
  beast::tcp_stream stream_;
  http::request<http::empty_body> req_;
};

// ---- A lambda that sets headers is a helper like any other ----

// Every call of it hands a message bound for TLS: the lambda is the mistake, at its set.
void portal_reply(beast::ssl_stream<beast::tcp_stream> &tls) {
  auto common_headers = [](auto &msg) {
    msg.set(http::field::server, "portal");
    msg.set(http::field::upgrade, "h2c");
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE+4]]:3: note: the message is written to a TLS stream here
  };
  http::response<http::string_body> res;
  common_headers(res);
  http::write(tls, res);
}

// Called for TLS and cleartext: the call that hands it the TLS-bound message is the mistake.
void mirrored_reply(beast::ssl_stream<beast::tcp_stream> &tls, beast::tcp_stream &plain) {
  auto offer_h2c = [](http::response<http::string_body> &msg) {
    msg.set(http::field::upgrade, "h2c");
  };
  http::response<http::string_body> secure_res;
  offer_h2c(secure_res);
// CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'Upgrade: h2c' set by 'offer_h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// CHECK-MESSAGES: :[[@LINE-5]]:9: note: 'offer_h2c' sets it here
// CHECK-MESSAGES: :[[@LINE+1]]:3: note: the message is written to a TLS stream here
  http::write(tls, secure_res);
  http::response<http::string_body> plain_res;
  offer_h2c(plain_res);
  http::write(plain, plain_res);
}

// Only ever written to cleartext TCP: quiet.
void plant_reply(beast::tcp_stream &plain) {
  auto common_headers = [](auto &msg) { msg.set(http::field::upgrade, "h2c"); };
  http::response<http::string_body> res;
  common_headers(res);
  http::write(plain, res);
}
