// checks: errorshield-ws-handshake-origin
// Collaborative editor backend, shaped after Beast's advanced_server:
// an http_session reads requests and upgrades to a websocket_session.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <algorithm>
#include <array>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace editor {

constexpr std::array<std::string_view, 2> kAllowedOrigins = {
    "https://docs.example.com", "https://staging-docs.example.com"};

bool origin_allowed(beast::string_view origin) {
  return std::any_of(kAllowedOrigins.begin(), kAllowedOrigins.end(),
                     [&](std::string_view o) { return o == std::string_view(origin.data(), origin.size()); });
}

void fail(beast::error_code ec, char const *what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

// ---------------------------------------------------------------------------
// websocket_session: the origin has already been vetted by http_session
// before this object is created, so the accept here is fine.
class websocket_session : public std::enable_shared_from_this<websocket_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit websocket_session(tcp::socket &&socket) : ws_(std::move(socket)) {}

  template <class Body, class Allocator>
  void do_accept(http::request<Body, http::basic_fields<Allocator>> req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
      res.set(http::field::server, "collab-editor");
    }));
    ws_.async_accept(req, beast::bind_front_handler(&websocket_session::on_accept,
                                                    shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return fail(ec, "accept");
    do_read();
  }
  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&websocket_session::on_read,
                                                      shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return fail(ec, "read");
    buffer_.consume(buffer_.size());
    do_read();
  }
};

// ---------------------------------------------------------------------------
class http_session : public std::enable_shared_from_this<http_session> {
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;

public:
  explicit http_session(tcp::socket &&socket) : stream_(std::move(socket)) {}

  void run() { do_read(); }

private:
  void do_read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_,
                     beast::bind_front_handler(&http_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return fail(ec, "read");
    if (websocket::is_upgrade(req_)) {
      if (!origin_allowed(req_[http::field::origin])) {
        http::response<http::string_body> res{http::status::forbidden, req_.version()};
        res.set(http::field::content_type, "text/plain");
        res.body() = "origin not allowed";
        res.prepare_payload();
        http::write(stream_, res, ec);
        return;
      }
      std::make_shared<websocket_session>(stream_.release_socket())->do_accept(std::move(req_));
      return;
    }
    do_read();
  }
};

// ---------------------------------------------------------------------------
// Presence channel: a second upgrade path that somebody added later and that
// forgot to look at the Origin header at all.
class presence_session : public std::enable_shared_from_this<presence_session> {
  websocket::stream<beast::tcp_stream> ws_;
  http::request<http::string_body> req_;

public:
  presence_session(tcp::socket &&s, http::request<http::string_body> req)
      : ws_(std::move(s)), req_(std::move(req)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    std::cout << "presence upgrade for " << req_.target() << "\n";
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (ec)
        fail(ec, "presence accept");
    });
  }
};

class presence_listener : public std::enable_shared_from_this<presence_listener> {
  net::io_context &ioc_;
  tcp::acceptor acceptor_;
  beast::flat_buffer buffer_;

public:
  presence_listener(net::io_context &ioc, tcp::endpoint ep) : ioc_(ioc), acceptor_(ioc, ep) {}

  void accept_one() {
    tcp::socket sock{ioc_};
    acceptor_.accept(sock);
    http::request<http::string_body> req;
    http::read(sock, buffer_, req);
    // Logs the Origin but never compares it with anything.
    std::cout << "origin=" << req[http::field::origin] << "\n";
    if (websocket::is_upgrade(req))
      std::make_shared<presence_session>(std::move(sock), std::move(req))->run();
  }
};

// ---------------------------------------------------------------------------
// Sync admin endpoint shaped like websocket_server_sync: checks Origin in a
// plain function before accept, no decorator involved.
void admin_session(tcp::socket socket) {
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  beast::error_code ec;
  http::read(socket, buffer, req, ec);
  if (ec || !websocket::is_upgrade(req))
    return;
  auto it = req.find(http::field::origin);
  if (it == req.end() || it->value() != "https://admin.example.com")
    return;
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.accept(req, ec);
  if (ec)
    return fail(ec, "admin accept");
}

// Sync metrics endpoint: lets Beast read the handshake itself, so there is
// no way the Origin was looked at.
void metrics_session(tcp::socket socket) {
  websocket::stream<tcp::socket> ws{std::move(socket)};
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
    res.set(http::field::server, "collab-metrics");
  }));
  ws.accept(); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer b;
  ws.read(b);
}

// Outgoing connection to the spell-check microservice: a client handshake,
// there is no Origin to check.
void spellcheck_client(net::io_context &ioc, std::string const &host) {
  tcp::resolver resolver{ioc};
  websocket::stream<tcp::socket> ws{ioc};
  auto results = resolver.resolve(host, "9001");
  net::connect(ws.next_layer(), results);
  ws.handshake(host, "/spell");
  ws.close(websocket::close_code::normal);
}

} // namespace editor
