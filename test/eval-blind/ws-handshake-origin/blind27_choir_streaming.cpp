// checks: errorshield-ws-handshake-origin
// Choir rehearsal streaming: section leaders stream their mix to singers at
// home, singers send back "ready"/"mute" cues. Browsers connect from the
// choir's web app; the conductor's desk connects from the local network.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace choir {

constexpr std::array<std::string_view, 2> kAllowedOrigins = {
    "https://rehearsal.stcecilia-choir.org",
    "https://app.stcecilia-choir.org",
};

inline bool origin_allowed(const http::request<http::string_body> &req) {
  auto it = req.find(http::field::origin);
  if (it == req.end())
    return false;
  std::string_view o(it->value().data(), it->value().size());
  return std::find(kAllowedOrigins.begin(), kAllowedOrigins.end(), o) != kAllowedOrigins.end();
}

inline http::response<http::string_body> forbidden(const http::request<http::string_body> &req) {
  http::response<http::string_body> res{http::status::forbidden, req.version()};
  res.set(http::field::content_type, "text/plain");
  res.body() = "origin not allowed";
  res.prepare_payload();
  return res;
}

inline void server_options(websocket::stream<beast::tcp_stream> &ws) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
    res.set(http::field::server, "choir-stream/2.3");
  }));
}

// Singer session: the upgrade request is read first so we can route by target.
class SingerSession : public std::enable_shared_from_this<SingerSession> {
public:
  explicit SingerSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     beast::bind_front_handler(&SingerSession::on_request, shared_from_this()));
  }

private:
  void on_request(beast::error_code ec, std::size_t) {
    if (ec || !websocket::is_upgrade(req_))
      return;
    section_ = std::string(req_.target());
    server_options(ws_);
    ws_.async_accept(req_, beast::bind_front_handler(&SingerSession::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    std::cout << "singer joined " << section_ << "\n";
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  std::string section_;
};

// Section leader session: same routing, but only the choir's web app may connect.
class LeaderSession : public std::enable_shared_from_this<LeaderSession> {
public:
  explicit LeaderSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     beast::bind_front_handler(&LeaderSession::on_request, shared_from_this()));
  }

private:
  void on_request(beast::error_code ec, std::size_t) {
    if (ec || !websocket::is_upgrade(req_))
      return;
    if (!origin_allowed(req_)) {
      res_ = forbidden(req_);
      http::async_write(ws_.next_layer(), res_, [self = shared_from_this()](beast::error_code, std::size_t) {
        beast::error_code ignored;
        self->ws_.next_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
      return;
    }
    server_options(ws_);
    ws_.async_accept(req_, beast::bind_front_handler(&LeaderSession::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (!ec)
      std::cout << "leader streaming\n";
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

// Cue channel: small JSON messages, handled as a coroutine.
net::awaitable<void> cue_channel(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  server_options(ws);
  co_await ws.async_accept(net::use_awaitable); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    json cue = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!cue.is_discarded())
      std::cout << "cue " << cue.value("kind", "?") << "\n";
  }
}

// Lyrics channel: reads the upgrade itself and enforces the allow-list.
net::awaitable<void> lyrics_channel(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, net::use_awaitable);
  if (!origin_allowed(req)) {
    auto res = forbidden(req);
    co_await http::async_write(stream, res, net::use_awaitable);
    co_return;
  }
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  server_options(ws);
  co_await ws.async_accept(req, net::use_awaitable);
  ws.text(true);
  co_await ws.async_write(net::buffer(std::string("{\"verse\":1}")), net::use_awaitable);
}

// Recording archive over TLS, shared by the public listener and the desk listener.
template <class NextLayer>
void accept_archive(websocket::stream<NextLayer> &ws, const http::request<http::string_body> &req) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.accept(req); // expect: errorshield-ws-handshake-origin
}

template <class NextLayer>
bool accept_archive_checked(websocket::stream<NextLayer> &ws, const http::request<http::string_body> &req) {
  if (!origin_allowed(req))
    return false;
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.accept(req);
  return true;
}

void serve_archive(ssl::context &tls, tcp::socket sock, bool strict) {
  websocket::stream<ssl::stream<beast::tcp_stream>> ws(beast::tcp_stream(std::move(sock)), tls);
  beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(30));
  ws.next_layer().handshake(ssl::stream_base::server);
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  http::read(ws.next_layer(), buf, req);
  beast::get_lowest_layer(ws).expires_never();
  if (strict)
    accept_archive_checked(ws, req);
  else
    accept_archive(ws, req);
}

// Metronome relay: accepts browsers straight off the acceptor.
void metronome_listener(net::io_context &ioc, tcp::acceptor &acc) {
  acc.async_accept([&ioc, &acc](beast::error_code ec, tcp::socket sock) {
    if (!ec) {
      auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(sock));
      server_options(*ws);
      ws->async_accept([ws](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
        if (!ec)
          std::cout << "metronome client\n";
      });
    }
    metronome_listener(ioc, acc);
  });
}

// Uplink to the cathedral's recording rig: we are the client here.
net::awaitable<void> uplink(std::string host, std::string port) {
  auto ex = co_await net::this_coro::executor;
  tcp::resolver resolver(ex);
  auto results = co_await resolver.async_resolve(host, port, net::use_awaitable);
  websocket::stream<beast::tcp_stream> ws(ex);
  co_await beast::get_lowest_layer(ws).async_connect(results, net::use_awaitable);
  co_await ws.async_handshake(host, "/ingest", net::use_awaitable);
}

} // namespace choir

int main() {
  using namespace choir;
  net::io_context ioc;
  ssl::context tls(ssl::context::tls_server);
  tcp::acceptor singers(ioc, {tcp::v4(), 9001});
  tcp::acceptor metronome(ioc, {tcp::v4(), 9002});
  singers.async_accept([](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<SingerSession>(std::move(s))->start();
  });
  metronome_listener(ioc, metronome);
  net::co_spawn(ioc, cue_channel(tcp::socket(ioc)), net::detached);
  net::co_spawn(ioc, lyrics_channel(tcp::socket(ioc)), net::detached);
  net::co_spawn(ioc, uplink("rig.local", "8080"), net::detached);
  serve_archive(tls, tcp::socket(ioc), false);
  std::make_shared<LeaderSession>(tcp::socket(ioc))->start();
  ioc.run();
  return 0;
}
