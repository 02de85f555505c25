// checks: errorshield-upgrade-header
// Beast HTTP reverse proxy: forwards client requests to an upstream and
// relays the upstream response back. WebSocket upgrades are tunnelled.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

using request_t = http::request<http::string_body>;
using response_t = http::response<http::string_body>;

static bool is_hop_by_hop(http::field f) {
  switch (f) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::proxy_authenticate:
    case http::field::proxy_authorization:
    case http::field::te:
    case http::field::trailer:
    case http::field::transfer_encoding:
    case http::field::upgrade:
      return true;
    default:
      return false;
  }
}

// Correct: copies end-to-end headers only.
request_t make_upstream_request(request_t const& in, std::string const& upstream_host) {
  request_t out{in.method(), in.target(), in.version()};
  for (auto const& f : in) {
    if (is_hop_by_hop(f.name())) continue;
    out.set(f.name_string(), f.value());
  }
  out.set(http::field::host, upstream_host);
  out.set("X-Forwarded-For", "client");
  out.body() = in.body();
  out.prepare_payload();
  return out;
}

// Buggy: naive header copy, forwards Connection/Upgrade verbatim.
request_t make_upstream_request_v1(request_t const& in, std::string const& upstream_host) {
  request_t out{in.method(), in.target(), in.version()};
  for (auto const& f : in) {
    out.set(f.name_string(), f.value()); // expect: errorshield-upgrade-header
  }
  out.set(http::field::host, upstream_host);
  out.body() = in.body();
  out.prepare_payload();
  return out;
}

// Buggy: cherry-picks headers but includes the hop-by-hop ones.
request_t make_upstream_request_v2(request_t const& in) {
  request_t out{in.method(), in.target(), 11};
  out.set(http::field::host, "backend:8080");
  out.set(http::field::content_type, in[http::field::content_type]);
  out.set(http::field::authorization, in[http::field::authorization]);
  out.set(http::field::upgrade, in[http::field::upgrade]); // expect: errorshield-upgrade-header
  out.set(http::field::connection, in[http::field::connection]); // expect: errorshield-upgrade-header
  out.body() = in.body();
  out.prepare_payload();
  return out;
}

// Correct: whole-message copy, then hop-by-hop headers are stripped.
request_t make_upstream_request_v3(request_t const& in) {
  request_t out = in;
  out.erase(http::field::connection);
  out.erase(http::field::upgrade);
  out.erase(http::field::keep_alive);
  out.erase(http::field::te);
  out.set(http::field::host, "backend:8080");
  return out;
}

// Relays the upstream response to the client.
response_t relay_response(response_t const& up, bool client_keep_alive) {
  response_t out{up.result(), up.version()};
  for (auto const& f : up) {
    if (f.name() == http::field::connection || f.name() == http::field::keep_alive ||
        f.name() == http::field::transfer_encoding || f.name() == http::field::upgrade)
      continue;
    out.set(f.name_string(), f.value());
  }
  out.body() = up.body();
  out.keep_alive(client_keep_alive);  // our own hop, not forwarded
  out.prepare_payload();
  return out;
}

response_t relay_response_v1(response_t const& up) {
  response_t out = up; // expect: errorshield-upgrade-header
  out.set(http::field::server, "edge-proxy");
  return out;
}

class proxy_session : public std::enable_shared_from_this<proxy_session> {
  beast::tcp_stream client_;
  beast::tcp_stream upstream_;
  beast::flat_buffer cbuf_, ubuf_;
  request_t req_;
  request_t up_req_;
  response_t up_res_;
  response_t res_;

public:
  proxy_session(tcp::socket&& s, net::io_context& ioc) : client_(std::move(s)), upstream_(ioc) {}

  void run() { do_read(); }

  void do_read() {
    req_ = {};
    http::async_read(client_, cbuf_, req_,
                     beast::bind_front_handler(&proxy_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    if (websocket::is_upgrade(req_)) {
      // Correct: a WebSocket tunnel sets its own Upgrade/Connection for the
      // upstream hop explicitly, like nginx's proxy_set_header.
      up_req_ = make_upstream_request(req_, "ws-backend:9000");
      up_req_.set(http::field::upgrade, "websocket");
      up_req_.set(http::field::connection, "upgrade");
    } else {
      up_req_ = make_upstream_request(req_, "backend:8080");
    }
    http::async_write(upstream_, up_req_,
                      beast::bind_front_handler(&proxy_session::on_upstream_write, shared_from_this()));
  }

  void on_upstream_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    http::async_read(upstream_, ubuf_, up_res_,
                     beast::bind_front_handler(&proxy_session::on_upstream_read, shared_from_this()));
  }

  void on_upstream_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    res_ = relay_response(up_res_, req_.keep_alive());
    http::async_write(client_, res_,
                      beast::bind_front_handler(&proxy_session::on_client_write, shared_from_this()));
  }

  void on_client_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    if (res_.keep_alive()) do_read();
  }
};

// Legacy path kept for the /v1 API: forwards the client request object as-is.
void forward_legacy(beast::tcp_stream& upstream, request_t& client_req) {
  client_req.set(http::field::host, "legacy:8081");
  http::write(upstream, client_req); // expect: errorshield-upgrade-header
}

int main() {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8000});
  std::function<void()> accept = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<proxy_session>(std::move(s), ioc)->run();
      accept();
    });
  };
  accept();
  ioc.run();
}
