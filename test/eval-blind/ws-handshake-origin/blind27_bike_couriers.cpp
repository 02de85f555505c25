// checks: errorshield-ws-handshake-origin
// Bike courier dispatch: the dispatcher web app and the courier phone app connect
// over WebSocket to receive job offers and push GPS positions.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <array>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using json = nlohmann::json;

namespace couriers {

const std::set<std::string, std::less<>> kDispatchOrigins = {
    "https://dispatch.pedalpost.example", "https://ops.pedalpost.example"};

bool origin_allowed(const http::request<http::string_body> &req) {
  auto it = req.find(http::field::origin);
  if (it == req.end())
    return false;
  return kDispatchOrigins.count(std::string_view(it->value().data(), it->value().size())) != 0;
}

http::response<http::string_body> forbidden(const http::request<http::string_body> &req) {
  http::response<http::string_body> res{http::status::forbidden, req.version()};
  res.set(http::field::content_type, "text/plain");
  res.body() = "origin not allowed";
  res.prepare_payload();
  return res;
}

void set_server_name(websocket::stream<beast::tcp_stream> &ws) {
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
    res.set(http::field::server, "pedalpost-dispatch");
  }));
}

// Dispatcher console (browser). Reads the upgrade request itself so it can route.
class DispatcherSession : public std::enable_shared_from_this<DispatcherSession> {
public:
  explicit DispatcherSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec)
                         return;
                       self->on_request();
                     });
  }

private:
  void on_request() {
    if (!websocket::is_upgrade(req_))
      return;
    if (!origin_allowed(req_)) {
      auto res = std::make_shared<http::response<http::string_body>>(forbidden(req_));
      http::async_write(ws_.next_layer(), *res,
                        [self = shared_from_this(), res](beast::error_code, std::size_t) {
                          self->ws_.next_layer().close();
                        });
      return;
    }
    set_server_name(ws_);
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->send_board();
    });
  }

  void send_board() {
    out_ = json{{"type", "board"}, {"jobs", json::array()}}.dump();
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  std::string out_;
};

// Courier phones, coroutine style.
asio::awaitable<void> courier_session(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  set_server_name(ws);
  co_await ws.async_accept(asio::use_awaitable); // expect: errorshield-ws-handshake-origin
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!msg.is_discarded() && msg.value("type", "") == "gps")
      std::cout << "courier at " << msg.value("lat", 0.0) << "," << msg.value("lon", 0.0) << "\n";
  }
}

// Live map for the public "where is my parcel" page.
asio::awaitable<void> tracking_session(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, asio::use_awaitable);
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  auto origin = req[http::field::origin];
  std::cout << "tracking viewer from " << origin << "\n";
  co_await ws.async_accept(req, asio::use_awaitable); // expect: errorshield-ws-handshake-origin
  co_await ws.async_write(asio::buffer(std::string(R"({"type":"hello"})")), asio::use_awaitable);
}

// Ops dashboard, same check as the dispatcher console.
asio::awaitable<void> ops_session(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  co_await http::async_read(sock, buf, req, asio::use_awaitable);
  if (!origin_allowed(req)) {
    co_await http::async_write(sock, forbidden(req), asio::use_awaitable);
    co_return;
  }
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(req, asio::use_awaitable);
  co_await ws.async_write(asio::buffer(std::string(R"({"type":"ops"})")), asio::use_awaitable);
}

// Legacy depot terminals: blocking thread per terminal, few of them.
void depot_terminal(tcp::socket sock) {
  try {
    websocket::stream<tcp::socket> ws(std::move(sock));
    ws.accept(); // expect: errorshield-ws-handshake-origin
    beast::flat_buffer buf;
    for (;;) {
      ws.read(buf);
      ws.text(ws.got_text());
      ws.write(buf.data());
      buf.consume(buf.size());
    }
  } catch (const std::exception &e) {
    std::cerr << "depot terminal: " << e.what() << "\n";
  }
}

template <class Stream> class PartnerFeed {
public:
  explicit PartnerFeed(Stream s) : ws_(std::move(s)) {}

  asio::awaitable<void> run() {
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    co_await http::async_read(ws_.next_layer(), buf, req, asio::use_awaitable);
    // partner apps identify themselves with an API key header
    if (req[http::field::host].empty())
      co_return;
    co_await ws_.async_accept(req, asio::use_awaitable); // expect: errorshield-ws-handshake-origin
    co_await ws_.async_write(asio::buffer(std::string("{}")), asio::use_awaitable);
  }

  asio::awaitable<void> run_checked() {
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    co_await http::async_read(ws_.next_layer(), buf, req, asio::use_awaitable);
    auto origin = req[http::field::origin];
    if (origin != "https://partners.pedalpost.example")
      co_return;
    co_await ws_.async_accept(req, asio::use_awaitable);
  }

private:
  websocket::stream<Stream> ws_;
};

asio::awaitable<void> listener(tcp::acceptor acc) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    auto port = acc.local_endpoint().port();
    if (port == 9001) {
      std::make_shared<DispatcherSession>(std::move(s))->start();
    } else if (port == 9002) {
      asio::co_spawn(acc.get_executor(), courier_session(std::move(s)), asio::detached);
    } else if (port == 9003) {
      asio::co_spawn(acc.get_executor(), tracking_session(std::move(s)), asio::detached);
    } else if (port == 9004) {
      asio::co_spawn(acc.get_executor(), ops_session(std::move(s)), asio::detached);
    } else {
      auto feed = std::make_shared<PartnerFeed<beast::tcp_stream>>(beast::tcp_stream(std::move(s)));
      asio::co_spawn(acc.get_executor(), [feed]() { return feed->run(); }, asio::detached);
    }
  }
}

} // namespace couriers

int main() {
  asio::io_context ioc;
  for (unsigned short p : {9001, 9002, 9003, 9004, 9005})
    asio::co_spawn(ioc, couriers::listener(tcp::acceptor(ioc, {tcp::v4(), p})), asio::detached);
  tcp::acceptor depot(ioc, {tcp::v4(), 9010});
  std::thread([&depot] {
    for (;;)
      std::thread(couriers::depot_terminal, depot.accept()).detach();
  }).detach();
  ioc.run();
}
