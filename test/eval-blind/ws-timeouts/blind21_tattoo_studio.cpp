// checks: errorshield-ws-timeouts
// Tattoo studio appointment queue: walk-ins join the queue from a tablet at
// the front desk, artists watch it from their stations, customers follow
// their place in line from their phones.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <deque>
#include <iostream>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using asio::awaitable;
using asio::use_awaitable;
using namespace std::chrono_literals;

namespace studio {

struct WalkIn {
  std::string name;
  std::string design;
  int est_minutes = 60;
};

class Queue {
public:
  std::size_t join(WalkIn w) {
    q_.push_back(std::move(w));
    return q_.size();
  }
  json to_json() const {
    json a = json::array();
    for (const auto &w : q_)
      a.push_back({{"name", w.name}, {"design", w.design}, {"minutes", w.est_minutes}});
    return a;
  }

private:
  std::deque<WalkIn> q_;
};

// Customer phones: many short-lived connections from mobile networks.
class PhoneSession : public std::enable_shared_from_this<PhoneSession> {
public:
  PhoneSession(tcp::socket s, Queue &q) : ws_(std::move(s)), queue_(q) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->buf_.consume(self->buf_.size());
      self->ws_.text(true);
      self->ws_.async_write(asio::buffer(self->queue_.to_json().dump()),
                            [self](beast::error_code ec, std::size_t) {
                              if (!ec)
                                self->read();
                            });
    });
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buf_;
  Queue &queue_;
};

// Front desk tablet, after the fix for tablets that went to sleep mid-session.
class DeskSession : public std::enable_shared_from_this<DeskSession> {
public:
  DeskSession(tcp::socket s, Queue &q) : ws_(std::move(s)), queue_(q) {}

  void start(http::request<http::string_body> req) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      json j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (!j.is_discarded())
        self->queue_.join({j.value("name", ""), j.value("design", ""), j.value("minutes", 60)});
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  Queue &queue_;
};

// Artist stations: coroutine sessions.
awaitable<void> artist_station(tcp::socket sock, Queue &queue) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(use_awaitable); // expect: errorshield-ws-timeouts
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
    ws.text(true);
    co_await ws.async_write(asio::buffer(queue.to_json().dump()), use_awaitable);
  }
}

awaitable<void> piercing_station(tcp::socket sock, Queue &queue) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = 15s;
  opt.idle_timeout = 90s;
  opt.keep_alive_pings = true;
  ws.set_option(opt);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    buf.consume(buf.size());
    co_await ws.async_write(asio::buffer(queue.to_json().dump()), use_awaitable);
  }
}

// Waiting-room display: copied from the booking client's setup code.
awaitable<void> waiting_room_display(tcp::socket sock, Queue &queue) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(use_awaitable);
  ws.text(true);
  for (;;) {
    co_await ws.async_write(asio::buffer(queue.to_json().dump()), use_awaitable);
    asio::steady_timer t(co_await asio::this_coro::executor, 20s);
    co_await t.async_wait(use_awaitable);
  }
}

// Manager dashboard: left open all day on the office PC.
template <class NextLayer>
class DashboardSession : public std::enable_shared_from_this<DashboardSession<NextLayer>> {
public:
  DashboardSession(NextLayer layer, Queue &q) : ws_(std::move(layer)), queue_(q) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->on_login();
    });
  }

private:
  void on_login() {
    // the office PC sleeps at night; don't drop the dashboard
    ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(), websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.to_json().dump()),
                    [self = this->shared_from_this()](beast::error_code, std::size_t) {});
  }

  websocket::stream<NextLayer> ws_;
  Queue &queue_;
};

template <class NextLayer>
class AftercareSession : public std::enable_shared_from_this<AftercareSession<NextLayer>> {
public:
  explicit AftercareSession(NextLayer layer) : ws_(std::move(layer)) {}

  void start(http::request<http::string_body> req) {
    ws_.async_accept(req, [self = this->shared_from_this()](beast::error_code ec) { // expect: errorshield-ws-timeouts
      if (!ec)
        self->ws_.async_write(asio::buffer(std::string("keep it clean, keep it moisturised")),
                              [self](beast::error_code, std::size_t) {});
    });
  }

private:
  websocket::stream<NextLayer> ws_;
};

// Outbound: we push new bookings to the deposit/payment provider.
awaitable<void> deposit_provider_link(tcp::resolver::results_type endpoints, json booking) {
  websocket::stream<beast::tcp_stream> ws(co_await asio::this_coro::executor);
  beast::get_lowest_layer(ws).expires_after(10s);
  co_await beast::get_lowest_layer(ws).async_connect(endpoints, use_awaitable);
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  co_await ws.async_handshake("deposits.example.net", "/v1/stream", use_awaitable);
  co_await ws.async_write(asio::buffer(booking.dump()), use_awaitable);
}

} // namespace studio

int main() {
  asio::io_context ioc;
  studio::Queue queue;
  tcp::acceptor acc(ioc, {tcp::v4(), 8181});
  acc.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<studio::PhoneSession>(std::move(s), queue)->start();
  });
  std::make_shared<studio::DeskSession>(tcp::socket(ioc), queue)->start({});
  std::make_shared<studio::DashboardSession<tcp::socket>>(tcp::socket(ioc), queue)->start();
  std::make_shared<studio::AftercareSession<beast::tcp_stream>>(beast::tcp_stream(ioc))->start({});
  asio::co_spawn(ioc, studio::artist_station(tcp::socket(ioc), queue), asio::detached);
  asio::co_spawn(ioc, studio::piercing_station(tcp::socket(ioc), queue), asio::detached);
  asio::co_spawn(ioc, studio::waiting_room_display(tcp::socket(ioc), queue), asio::detached);
  ioc.run();
}
