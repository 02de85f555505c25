// checks: errorshield-ws-handshake-origin
// Multiplayer flight simulator backend: browser cockpits connect over WebSocket to
// receive aircraft state, the instructor console joins on a separate port, and
// the sim pushes weather to a remote METAR relay as a client.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::ip::tcp;

namespace flightsim {

constexpr std::array<std::string_view, 2> kCockpitOrigins = {"https://cockpit.flightsim.example",
                                                             "https://beta.flightsim.example"};

bool origin_allowed(const http::request<http::string_body> &req) {
  auto origin = req[http::field::origin];
  return std::find(kCockpitOrigins.begin(), kCockpitOrigins.end(),
                   std::string_view(origin.data(), origin.size())) != kCockpitOrigins.end();
}

void send_forbidden(beast::tcp_stream &stream, unsigned version) {
  http::response<http::string_body> res{http::status::forbidden, version};
  res.body() = "origin not allowed";
  res.prepare_payload();
  beast::error_code ec;
  http::write(stream, res, ec);
}

void publish_state(websocket::stream<beast::tcp_stream> &ws, const std::string &state);

// Cockpit session: the browser sends a plain upgrade request.
class CockpitSession : public std::enable_shared_from_this<CockpitSession> {
public:
  explicit CockpitSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec || !websocket::is_upgrade(self->req_))
                         return;
                       self->ws_.async_accept(self->req_, [self](beast::error_code aec) { // expect: errorshield-ws-handshake-origin
                         if (!aec)
                           publish_state(self->ws_, "{\"alt\":0}");
                       });
                     });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
};

// Cockpit session after the allowlist was introduced.
class CockpitSessionV2 : public std::enable_shared_from_this<CockpitSessionV2> {
public:
  explicit CockpitSessionV2(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec || !websocket::is_upgrade(self->req_))
                         return;
                       if (!origin_allowed(self->req_))
                         return send_forbidden(self->ws_.next_layer(), self->req_.version());
                       self->ws_.async_accept(self->req_, [self](beast::error_code aec) {
                         if (!aec)
                           publish_state(self->ws_, "{\"alt\":0}");
                       });
                     });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
};

// Spectator feed: Beast reads the upgrade request itself.
class SpectatorFeed : public std::enable_shared_from_this<SpectatorFeed> {
public:
  explicit SpectatorFeed(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (!ec)
        publish_state(self->ws_, "{\"spectating\":true}");
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
};

// Instructor console, one coroutine per connection.
asio::awaitable<void> instructor_session(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(asio::use_awaitable); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    ws.text(true);
    co_await ws.async_write(buf.data(), asio::use_awaitable);
    buf.consume(buf.size());
  }
}

// Failure-injection panel, also coroutine based but checks the caller.
asio::awaitable<void> failure_panel_session(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(stream, buf, req, asio::use_awaitable);
  if (!websocket::is_upgrade(req) || !origin_allowed(req)) {
    send_forbidden(stream, req.version());
    co_return;
  }
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, asio::use_awaitable);
  co_await ws.async_write(asio::buffer(std::string("{\"panel\":\"ready\"}")), asio::use_awaitable);
}

// Replay viewer runs on its own blocking thread; only the path is validated.
void replay_viewer(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  http::read(stream, buf, req);
  if (req.target() != "/replay")
    return;
  websocket::stream<beast::tcp_stream> ws(std::move(stream));
  ws.accept(req); // expect: errorshield-ws-handshake-origin
  ws.write(asio::buffer(std::string("{\"frames\":0}")));
}

// TLS cockpit for the public fleet, shared between the plain and TLS listeners.
template <class NextLayer> class SecureCockpit : public std::enable_shared_from_this<SecureCockpit<NextLayer>> {
public:
  explicit SecureCockpit(NextLayer next) : ws_(std::move(next)) {}

  void on_request(http::request<http::string_body> req) {
    req_ = std::move(req);
    if (req_[http::field::host].empty())
      return;
    ws_.async_accept(req_, [self = this->shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
      if (!ec)
        self->ws_.async_write(asio::buffer(self->hello_), [self](beast::error_code, std::size_t) {});
    });
  }

  void on_request_checked(http::request<http::string_body> req) {
    req_ = std::move(req);
    auto origin = req_[http::field::origin];
    if (origin != "https://cockpit.flightsim.example")
      return;
    ws_.async_accept(req_, [self = this->shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->ws_.async_write(asio::buffer(self->hello_), [self](beast::error_code, std::size_t) {});
    });
  }

private:
  websocket::stream<NextLayer> ws_;
  http::request<http::string_body> req_;
  std::string hello_ = "{\"hello\":\"cockpit\"}";
};

template class SecureCockpit<beast::ssl_stream<beast::tcp_stream>>;

// Outbound: the sim is a client of the METAR relay, no accept involved.
asio::awaitable<void> push_weather(std::string host, std::string report) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto results = co_await resolver.async_resolve(host, "80", asio::use_awaitable);
  websocket::stream<beast::tcp_stream> ws(ex);
  co_await beast::get_lowest_layer(ws).async_connect(results, asio::use_awaitable);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type &r) {
    r.set(http::field::origin, "https://sim.flightsim.example");
  }));
  co_await ws.async_handshake(host, "/metar", asio::use_awaitable);
  co_await ws.async_write(asio::buffer(report), asio::use_awaitable);
  co_await ws.async_close(websocket::close_code::normal, asio::use_awaitable);
}

} // namespace flightsim
