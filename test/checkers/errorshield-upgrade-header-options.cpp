// Option variants. Catalog defaults (prefix DEFAULT). A stricter proxy policy: the loop must also
// skip Transfer-Encoding and Keep-Alive (prefix STRICT). A project TLS stream type (prefix TLS).
// The options as clang-tidy sees them (DUMP).
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-upgrade-header' -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=DEFAULT --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-upgrade-header' \
// RUN:   -config="{CheckOptions: {errorshield-upgrade-header.RequiredSkips: 'Connection;Upgrade;Transfer-Encoding;Keep-Alive'}}" \
// RUN:   -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=STRICT --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-upgrade-header' \
// RUN:   -config="{CheckOptions: {errorshield-upgrade-header.TlsStreamTypes: 'acme::tls_socket'}}" \
// RUN:   -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=TLS --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-upgrade-header' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMP
// DUMP: errorshield-upgrade-header.CleartextUpgradeTokens: h2c
// DUMP: errorshield-upgrade-header.RequiredSkips: 'Connection;Upgrade'

#include "asio_io.h"

namespace beast = boost::beast;
namespace http = beast::http;

namespace acme {
struct tls_socket {};
void send(tls_socket &, const http::request<http::empty_body> &);
} // namespace acme

void forward(const http::request<http::string_body> &in, http::request<http::string_body> &out) {
  for (auto const &f : in) {
    if (f.name() == http::field::connection || f.name() == http::field::upgrade)
      continue;
    out.set(f.name_string(), f.value());
// STRICT: :[[@LINE-1]]:9: warning: header copy loop forwards the hop-by-hop headers 'Transfer-Encoding' and 'Keep-Alive': the next hop acts on connection headers that were never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
// STRICT: :31:3: note: skip the hop-by-hop headers (Connection, Keep-Alive, Proxy-Authenticate, Proxy-Authorization, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade, and any named in Connection), e.g. with a helper such as is_hop_by_hop(field)
  }
}

void probe(acme::tls_socket &tls, beast::ssl_stream<beast::tcp_stream> &stream) {
  http::request<http::empty_body> req;
  req.set(http::field::upgrade, "h2c");
// TLS: :[[@LINE-1]]:7: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// TLS: :45:3: note: the message is written to a TLS stream here
  acme::send(tls, req);
  http::request<http::empty_body> other;
  other.set(http::field::upgrade, "h2c");
// DEFAULT: :[[@LINE-1]]:9: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// DEFAULT: :52:3: note: the message is written to a TLS stream here
// STRICT: :[[@LINE-3]]:9: warning: 'Upgrade: h2c' on a message written to a TLS stream: h2c is HTTP/2 over cleartext TCP only, and over TLS HTTP/2 is negotiated with ALPN (RFC 9113, section 3) [ES-PROTOCOL-001] [errorshield-upgrade-header]
// STRICT: :52:3: note: the message is written to a TLS stream here
  http::write(stream, other);
}

// A relay: read from one stream, written to another, under each option set; the new options as
// clang-tidy sees them (DUMPIO). Project read/write functions named in them: PROJIO below.
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-upgrade-header' --dump-config \
// RUN:   | FileCheck %s --check-prefix=DUMPIO
// DUMPIO: errorshield-upgrade-header.MessageReadFunctions: 'boost::beast::http::read;boost::beast::http::async_read'
// DUMPIO: errorshield-upgrade-header.MessageWriteFunctions: 'boost::beast::http::write;boost::beast::http::async_write'
void relay_both(beast::tcp_stream &from, beast::tcp_stream &to, beast::flat_buffer &b) {
  http::request<http::string_body> req;
  http::read(from, b, req);
  http::write(to, req);
// DEFAULT: :[[@LINE-1]]:3: warning: 'req', read from 'from', is written to 'to' with its hop-by-hop headers 'Connection' and 'Upgrade': the next hop acts on connection headers that were never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
// DEFAULT: :[[@LINE-3]]:3: note: read here
// STRICT: :[[@LINE-3]]:3: warning: 'req', read from 'from', is written to 'to' with its hop-by-hop headers 'Connection', 'Upgrade', 'Transfer-Encoding' and 'Keep-Alive'
// STRICT: :[[@LINE-5]]:3: note: read here
// TLS: :[[@LINE-5]]:3: warning: 'req', read from 'from', is written to 'to'
// TLS: :[[@LINE-7]]:3: note: read here
}

// The project's own read/write functions, named in the options (prefix PROJIO): the relay through
// them is reported; they move the message and are not taken as helpers that may clean it. A
// project helper that is handed the message in between still may.
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-upgrade-header' \
// RUN:   -config="{CheckOptions: {errorshield-upgrade-header.MessageReadFunctions: 'edge::recv_request', errorshield-upgrade-header.MessageWriteFunctions: 'edge::send_request'}}" \
// RUN:   -- -std=c++20 -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=PROJIO --implicit-check-not='{{warning|error|note}}:'
// The options replace the defaults: relay_both's Beast read and write are not followed here.
// PROJIO: :47:9: warning: 'Upgrade: h2c' on a message written to a TLS stream
// PROJIO: :52:3: note: the message is written to a TLS stream here
namespace edge {
void recv_request(beast::tcp_stream &from, beast::flat_buffer &b, http::request<http::string_body> &req);
void send_request(beast::tcp_stream &to, const http::request<http::string_body> &req);
void strip_hop_by_hop(http::request<http::string_body> &req);

void relay_through_project(beast::tcp_stream &client, beast::tcp_stream &origin, beast::flat_buffer &b) {
  http::request<http::string_body> req;
  recv_request(client, b, req);
  send_request(origin, req);
// PROJIO: :[[@LINE-1]]:3: warning: 'req', read from 'client', is written to 'origin' with its hop-by-hop headers 'Connection' and 'Upgrade': the next hop acts on connection headers that were never meant for it [ES-PROTOCOL-001] [errorshield-upgrade-header]
// PROJIO: :[[@LINE-3]]:3: note: read here
}

void relay_through_project_cleaned(beast::tcp_stream &client, beast::tcp_stream &origin, beast::flat_buffer &b) {
  http::request<http::string_body> req;
  recv_request(client, b, req);
  strip_hop_by_hop(req);
  send_request(origin, req);
}
} // namespace edge
