// checks: errorshield-ws-close-code
// Yacht charter live board: brokers and the marina office watch berth and
// booking changes in real time over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using asio::awaitable;
using asio::use_awaitable;

namespace board {

// Application close codes shared with the broker front-end (private range).
constexpr std::uint16_t kBookingWithdrawn = 4001;
constexpr std::uint16_t kBrokerSuspended = 4003;
// Code the old desktop client used for "season closed".
constexpr std::uint16_t kSeasonClosed = 1015;

struct Booking {
  std::string yacht;
  std::string broker;
  std::string from;
  std::string to;
  bool confirmed = false;
};

class BoardSession : public std::enable_shared_from_this<BoardSession> {
public:
  BoardSession(tcp::socket s, std::string broker) : ws_(std::move(s)), broker_(std::move(broker)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_next();
    });
  }

  void push(const Booking &b) {
    json j = {{"yacht", b.yacht}, {"from", b.from}, {"to", b.to}, {"confirmed", b.confirmed}};
    ws_.text(true);
    beast::error_code ec;
    ws_.write(asio::buffer(j.dump()), ec);
    if (ec)
      ws_.async_close(websocket::close_code::abnormal, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

  void withdraw() {
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(kBookingWithdrawn), "booking withdrawn"),
                    [self = shared_from_this()](beast::error_code) {});
  }

  void suspend() {
    ws_.async_close(websocket::close_reason(kBrokerSuspended), [self = shared_from_this()](beast::error_code) {});
  }

  void end_of_season() {
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(kSeasonClosed), "season closed"), [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

  const std::string &broker() const { return broker_; }

private:
  void read_next() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == websocket::error::closed) {
        // peer gave no status: log it, don't echo it back
        if (self->ws_.reason().code == websocket::close_code::no_status)
          std::cerr << self->broker_ << " left without a close status\n";
        return;
      }
      if (ec)
        return;
      json msg = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (msg.is_discarded()) {
        self->ws_.async_close(websocket::close_code::bad_payload, [self](beast::error_code) {});
        return;
      }
      self->read_next();
    });
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buf_;
  std::string broker_;
};

// Marina office kiosk: coroutine session, closed when the office shuts.
awaitable<void> office_kiosk(tcp::socket sock, std::chrono::steady_clock::time_point closing) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  while (std::chrono::steady_clock::now() < closing) {
    auto [ec, n] = co_await ws.async_read(buf, asio::as_tuple(use_awaitable));
    if (ec)
      co_return;
    buf.consume(n);
  }
  co_await ws.async_close(websocket::close_code::no_status, use_awaitable); // expect: errorshield-ws-close-code
}

awaitable<void> maintenance_kiosk(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  co_await ws.async_accept(use_awaitable);
  co_await ws.async_close(websocket::close_reason(websocket::close_code::service_restart, "maintenance"),
                          use_awaitable);
}

// Harbour master's feed: blocking, one per night shift terminal.
void harbour_master_feed(tcp::socket sock, const std::vector<Booking> &tonight) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  for (const auto &b : tonight)
    ws.write(asio::buffer(b.yacht + " " + b.from));
  ws.close(websocket::close_reason(2000)); // expect: errorshield-ws-close-code
}

void overflow_feed(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  ws.close(websocket::close_code::try_again_later);
}

template <class Stream>
void reject_unknown_broker(websocket::stream<Stream> &ws) {
  ws.close(websocket::close_reason(static_cast<websocket::close_code>(5003), "unknown broker")); // expect: errorshield-ws-close-code
}

template <class Stream>
void reject_expired_session(websocket::stream<Stream> &ws) {
  ws.close(websocket::close_reason(static_cast<websocket::close_code>(3008), "session expired"));
}

class Board {
public:
  void add(std::shared_ptr<BoardSession> s) { sessions_[s->broker()] = std::move(s); }

  void publish(const Booking &b) {
    for (auto &[broker, s] : sessions_)
      s->push(b);
  }

  void cancel(const std::string &broker) {
    auto it = sessions_.find(broker);
    if (it == sessions_.end())
      return;
    it->second->withdraw();
    sessions_.erase(it);
  }

  void close_season() {
    for (auto &[broker, s] : sessions_)
      s->end_of_season();
    sessions_.clear();
  }

private:
  std::map<std::string, std::shared_ptr<BoardSession>> sessions_;
};

} // namespace board

int main() {
  asio::io_context ioc;
  board::Board b;
  tcp::acceptor acc(ioc, {tcp::v4(), 8443});
  acc.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (ec)
      return;
    auto sess = std::make_shared<board::BoardSession>(std::move(s), "anon");
    sess->start();
    b.add(sess);
  });
  websocket::stream<tcp::socket> probe(ioc);
  board::reject_unknown_broker(probe);
  board::reject_expired_session(probe);
  asio::co_spawn(ioc, board::office_kiosk(tcp::socket(ioc), std::chrono::steady_clock::now()),
                 asio::detached);
  asio::co_spawn(ioc, board::maintenance_kiosk(tcp::socket(ioc)), asio::detached);
  ioc.run();
}
