// checks: errorshield-ws-handshake-origin
// Museum audio guide backend: visitors' phones open a WebSocket from the
// guide web app to receive narration cues as they move between rooms;
// gallery beacons and the curator console connect on their own ports.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <thread>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace guide {

const std::set<std::string, std::less<>> kGuideOrigins{
    "https://guide.citymuseum.org", "https://kiosk.citymuseum.org"};

bool is_guide_origin(const http::request<http::string_body>& req) {
  auto it = req.find(http::field::origin);
  return it != req.end() && kGuideOrigins.count(it->value()) != 0;
}

json cue_for(const std::string& room) {
  return {{"type", "cue"}, {"room", room}, {"track", "narration/" + room + ".opus"}};
}

// Visitor phone session (callback style).
class VisitorSession : public std::enable_shared_from_this<VisitorSession> {
public:
  explicit VisitorSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    http::async_read(beast::get_lowest_layer(ws_), buf_, req_,
                     beast::bind_front_handler(&VisitorSession::on_upgrade, shared_from_this()));
  }

private:
  void on_upgrade(beast::error_code ec, std::size_t) {
    if (ec || !websocket::is_upgrade(req_)) return;
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req_, beast::bind_front_handler(&VisitorSession::on_accept, shared_from_this())); // expect: errorshield-ws-handshake-origin
  }

  void on_accept(beast::error_code ec) {
    if (ec) return;
    ws_.async_read(buf_, beast::bind_front_handler(&VisitorSession::on_room, shared_from_this()));
  }

  void on_room(beast::error_code ec, std::size_t) {
    if (ec) return;
    out_ = cue_for(beast::buffers_to_string(buf_.data())).dump();
    buf_.consume(buf_.size());
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->on_accept({});
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  std::string out_;
};

// Kiosk session: same flow, but only the museum's own web apps may connect.
class KioskSession : public std::enable_shared_from_this<KioskSession> {
public:
  explicit KioskSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    http::async_read(beast::get_lowest_layer(ws_), buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_upgrade(ec); });
  }

private:
  void on_upgrade(beast::error_code ec) {
    if (ec || !websocket::is_upgrade(req_)) return;
    if (!is_guide_origin(req_)) {
      reject_ = std::make_shared<http::response<http::string_body>>(http::status::forbidden, req_.version());
      reject_->body() = "origin not allowed";
      reject_->prepare_payload();
      http::async_write(beast::get_lowest_layer(ws_), *reject_, [self = shared_from_this()](beast::error_code, std::size_t) {});
      return;
    }
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) std::clog << "kiosk connected\n";
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  std::shared_ptr<http::response<http::string_body>> reject_;
};

// Gallery beacons push visitor counts; coroutine per beacon.
net::awaitable<void> beacon_session(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer b;
  for (;;) {
    co_await ws.async_read(b, net::use_awaitable);
    std::clog << "beacon: " << beast::buffers_to_string(b.data()) << '\n';
    b.consume(b.size());
  }
}

// Mobile guide over TLS: the Origin is compared before the handshake.
net::awaitable<void> secure_guide_session(beast::ssl_stream<beast::tcp_stream> stream) {
  co_await stream.async_handshake(ssl::stream_base::server, net::use_awaitable);
  beast::flat_buffer b;
  http::request<http::string_body> req;
  co_await http::async_read(stream, b, req, net::use_awaitable);
  if (req[http::field::origin] != "https://guide.citymuseum.org") {
    http::response<http::empty_body> res{http::status::forbidden, req.version()};
    co_await http::async_write(stream, res, net::use_awaitable);
    co_return;
  }
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(std::move(stream));
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(req, net::use_awaitable);
  co_await ws.async_write(net::buffer(cue_for("lobby").dump()), net::use_awaitable);
}

// Curator console: blocking, one thread, token-protected.
void curator_console(tcp::socket sock, const std::string& token) {
  beast::flat_buffer b;
  http::request<http::string_body> req;
  http::read(sock, b, req);
  if (req[http::field::authorization] != "Bearer " + token) {
    http::response<http::empty_body> res{http::status::unauthorized, req.version()};
    http::write(sock, res);
    return;
  }
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::server, "citymuseum-guide");
  }));
  ws.accept(req); // expect: errorshield-ws-handshake-origin
  ws.write(net::buffer(json{{"type", "hello"}, {"role", "curator"}}.dump()));
}

// Template used for both the plain and the TLS exhibit-screen listeners.
template <class NextLayer>
void exhibit_screen(websocket::stream<NextLayer>& ws, const http::request<http::string_body>& req) {
  if (req.target() != "/screen") return;
  ws.async_accept(req, [&ws](beast::error_code ec) { // expect: errorshield-ws-handshake-origin
    if (!ec) ws.async_write(net::buffer(std::string("ready")), [](beast::error_code, std::size_t) {});
  });
}

template <class NextLayer>
void exhibit_screen_checked(websocket::stream<NextLayer>& ws, const http::request<http::string_body>& req) {
  if (req.target() != "/screen" || !is_guide_origin(req)) return;
  ws.async_accept(req, [](beast::error_code ec) {
    if (ec) std::clog << "screen: " << ec.message() << '\n';
  });
}

// Outbound: the guide backend pulls narration updates from the CMS.
void pull_cms_updates(net::io_context& ioc) {
  tcp::resolver r(ioc);
  websocket::stream<tcp::socket> ws(ioc);
  net::connect(ws.next_layer(), r.resolve("cms.internal", "9001"));
  ws.handshake("cms.internal", "/narration/updates");
  beast::flat_buffer b;
  ws.read(b);
  ws.close(websocket::close_code::normal);
}

// Single-shot accept used by the sync admin thread; the Origin header is
// read from the raw request first.
void status_socket(tcp::socket sock) {
  beast::flat_buffer b;
  http::request<http::string_body> req;
  http::read(sock, b, req);
  auto origin = req[http::field::origin];
  if (origin.empty() || !kGuideOrigins.count(origin)) return;
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(req);
  ws.write(net::buffer(std::string("{\"status\":\"ok\"}")));
}

// Staff radio channel, reachable only through the internal hostname.
void staff_radio(net::io_context& ioc, tcp::socket sock) {
  net::co_spawn(ioc, [s = std::move(sock)]() mutable -> net::awaitable<void> {
    websocket::stream<tcp::socket> ws(std::move(s));
    beast::flat_buffer b;
    http::request<http::string_body> req;
    co_await http::async_read(ws.next_layer(), b, req, net::use_awaitable);
    if (req[http::field::host] != "staff.citymuseum.internal") co_return;
    co_await ws.async_accept(req, net::use_awaitable); // expect: errorshield-ws-handshake-origin
    co_await ws.async_write(net::buffer(std::string("channel 1")), net::use_awaitable);
  }, net::detached);
}

net::awaitable<void> listen_visitors(tcp::acceptor acc) {
  for (;;) {
    auto s = co_await acc.async_accept(net::use_awaitable);
    std::make_shared<VisitorSession>(std::move(s))->start();
  }
}

}  // namespace guide

int main() {
  net::io_context ioc;
  net::co_spawn(ioc, guide::listen_visitors(tcp::acceptor(ioc, {tcp::v4(), 9443})), net::detached);
  websocket::stream<tcp::socket> plain(ioc);
  http::request<http::string_body> req;
  guide::exhibit_screen(plain, req);
  guide::exhibit_screen_checked(plain, req);
  std::thread admin([&] {
    tcp::acceptor a(ioc, {tcp::v4(), 9444});
    guide::curator_console(a.accept(), "s3cret");
  });
  ioc.run();
  admin.join();
}
