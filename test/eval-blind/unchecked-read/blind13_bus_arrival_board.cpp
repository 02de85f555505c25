// checks: errorshield-unchecked-read
#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace arrivals {

struct Arrival {
  std::string route;
  std::string stop_id;
  std::int64_t eta_epoch = 0;
};

class ArrivalCache {
public:
  void replace(std::vector<Arrival> v) {
    std::lock_guard lk(mu_);
    by_stop_.clear();
    for (auto &a : v) by_stop_[a.stop_id].push_back(std::move(a));
  }
  json for_stop(const std::string &stop) const {
    std::lock_guard lk(mu_);
    json out = json::array();
    auto it = by_stop_.find(stop);
    if (it == by_stop_.end()) return out;
    for (const auto &a : it->second) out.push_back({{"route", a.route}, {"eta", a.eta_epoch}});
    return out;
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<Arrival>> by_stop_;
};

inline std::vector<Arrival> parse_feed(const std::string &body) {
  std::vector<Arrival> out;
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.contains("entities")) return out;
  for (const auto &e : j["entities"])
    out.push_back({e.value("route", ""), e.value("stop", ""), e.value("eta", std::int64_t{0})});
  return out;
}

// Polls the transit agency's realtime feed.
class FeedPoller : public std::enable_shared_from_this<FeedPoller> {
public:
  FeedPoller(asio::io_context &ioc, ArrivalCache &cache, tcp::resolver::results_type ep)
      : stream_(ioc), timer_(ioc), cache_(cache), ep_(std::move(ep)) {}

  void start() { connect(); }

private:
  void connect() {
    stream_.expires_after(std::chrono::seconds(10));
    stream_.async_connect(ep_, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint &) {
      if (ec) return self->retry();
      self->request();
    });
  }

  void request() {
    req_ = {http::verb::get, "/gtfs-rt/arrivals.json", 11};
    req_.set(http::field::host, "feeds.transit.example");
    http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->retry();
      self->read_response();
    });
  }

  void read_response() {
    res_ = {};
    http::async_read(stream_, buf_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->retry();
      self->cache_.replace(parse_feed(self->res_.body()));
      self->schedule_next();
    });
  }

  void schedule_next() {
    timer_.expires_after(std::chrono::seconds(15));
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->request(); });
  }

  void retry() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    timer_.expires_after(std::chrono::seconds(30));
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->connect(); });
  }

  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  ArrivalCache &cache_;
  tcp::resolver::results_type ep_;
  beast::flat_buffer buf_;
  http::request<http::empty_body> req_;
  http::response<http::string_body> res_;
};

// Fallback used at depots without async infrastructure: one blocking fetch.
inline std::vector<Arrival> fetch_once(beast::tcp_stream &stream) {
  http::request<http::empty_body> req{http::verb::get, "/gtfs-rt/arrivals.json", 11};
  req.set(http::field::host, "feeds.transit.example");
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(stream, buf, res, ec); // expect: errorshield-unchecked-read
  return parse_feed(res.body());
}

inline std::vector<Arrival> fetch_once_checked(beast::tcp_stream &stream) {
  http::request<http::empty_body> req{http::verb::get, "/gtfs-rt/arrivals.json", 11};
  req.set(http::field::host, "feeds.transit.example");
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(stream, buf, res, ec);
  if (ec && ec != http::error::end_of_stream) return {};
  return parse_feed(res.body());
}

// Each LED board at a stop holds a WebSocket; boards send heartbeats and
// "shown" acknowledgements.
class BoardSession : public std::enable_shared_from_this<BoardSession> {
public:
  BoardSession(tcp::socket s, ArrivalCache &cache, std::string stop, bool firmware_v2)
      : ws_(std::move(s)), cache_(cache), stop_(std::move(stop)), firmware_v2_(firmware_v2) {}

  void run(http::request<http::string_body> upgrade) {
    ws_.async_accept(upgrade, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      if (self->firmware_v2_)
        self->read_acks();
      else
        self->read_heartbeat();
    });
  }

private:
  void read_heartbeat() {
    ws_.async_read(hb_buf_, [self = shared_from_this()](beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
      self->hb_buf_.consume(self->hb_buf_.size());
      self->last_seen_ = std::chrono::steady_clock::now();
      self->read_heartbeat();
    });
  }

  void read_acks() {
    ws_.async_read(ack_buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->on_ack(ec, n);
    });
  }

  void on_ack(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) return;
    if (ec) {
      std::cerr << "board " << stop_ << ": " << ec.message() << '\n';
      return;
    }
    ack_buf_.consume(ack_buf_.size());
    read_acks();
  }

  websocket::stream<beast::tcp_stream> ws_;
  ArrivalCache &cache_;
  std::string stop_;
  bool firmware_v2_ = false;
  beast::flat_buffer hb_buf_;
  beast::flat_buffer ack_buf_;
  std::chrono::steady_clock::time_point last_seen_{};
};

// Newer boards speak a command channel; handled as a coroutine.
inline asio::awaitable<void> board_commands(websocket::stream<beast::tcp_stream> &ws, ArrivalCache &cache) {
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    co_await ws.async_read(buf, asio::redirect_error(asio::use_awaitable, ec)); // expect: errorshield-unchecked-read
    const json cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (cmd.is_discarded()) continue;
    if (cmd.value("op", "") == "refresh") {
      const std::string reply = cache.for_stop(cmd.value("stop", "")).dump();
      co_await ws.async_write(asio::buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
    }
  }
}

inline asio::awaitable<void> board_commands_checked(websocket::stream<beast::tcp_stream> &ws, ArrivalCache &cache) {
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    co_await ws.async_read(buf, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    const json cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (cmd.is_discarded() || cmd.value("op", "") != "refresh") continue;
    const std::string reply = cache.for_stop(cmd.value("stop", "")).dump();
    co_await ws.async_write(asio::buffer(reply), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
}

// Legacy boards on the depot LAN send a raw TCP stream.
inline void legacy_board_read(std::shared_ptr<tcp::socket> sock, std::shared_ptr<std::array<char, 256>> buf) {
  sock->async_read_some(asio::buffer(*buf), [sock, buf](boost::system::error_code ec, std::size_t n) { // expect: errorshield-unchecked-read
    if (ec == asio::error::operation_aborted) return;
    std::cout.write(buf->data(), static_cast<std::streamsize>(n));
    legacy_board_read(sock, buf);
  });
}

// Stop list published by the scheduling system through a named pipe.
inline void follow_stop_updates(const std::string &fifo_path, std::vector<std::string> &stops) {
  std::ifstream feed(fifo_path);
  std::string line;
  for (;;) {
    std::getline(feed, line); // expect: errorshield-unchecked-read
    if (line.empty()) continue;
    stops.push_back(line);
  }
}

inline void load_stop_list(const std::string &path, std::vector<std::string> &stops) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) stops.push_back(line);
}

} // namespace arrivals
