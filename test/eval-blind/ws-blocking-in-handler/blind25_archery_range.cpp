// checks: errorshield-ws-blocking-in-handler
// Archery range server: lane scoring tablets, target-retrieval robots,
// live leaderboard and the range-safety whistle.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace range {

struct RangeConfig {
  int lanes = 12;
  std::string leaderboard_host = "127.0.0.1";
  std::string leaderboard_port = "8088";
};

RangeConfig load_config(const std::string &path) {
  RangeConfig cfg;
  std::ifstream in(path);
  if (in) {
    json j = json::parse(in, nullptr, false);
    if (!j.is_discarded()) {
      cfg.lanes = j.value("lanes", cfg.lanes);
      cfg.leaderboard_host = j.value("leaderboard_host", cfg.leaderboard_host);
    }
  }
  return cfg;
}

// Tablet at each shooting lane reports arrows as they are scored.
class LaneSession : public std::enable_shared_from_this<LaneSession> {
public:
  explicit LaneSession(tcp::socket sock) : ws_(std::move(sock)), throttle_(ws_.get_executor()) {}

  void start() {
    ws_.async_accept(beast::bind_front_handler(&LaneSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (!ec)
      do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&LaneSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto arrow = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (!arrow.is_discarded())
      totals_[arrow.value("archer", "")] += arrow.value("score", 0);
    // tablets flood us during a end; slow them down a bit
    std::this_thread::sleep_for(150ms); // expect: errorshield-ws-blocking-in-handler
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer throttle_;
  beast::flat_buffer buffer_;
  std::map<std::string, int> totals_;
};

// Target-retrieval robot: acknowledges every command.
class RobotSession : public std::enable_shared_from_this<RobotSession> {
public:
  explicit RobotSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

private:
  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->buffer_.consume(self->buffer_.size());
      std::string ack = R"({"ack":"retrieve"})";
      self->ws_.write(asio::buffer(ack)); // expect: errorshield-ws-blocking-in-handler
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// Range-safety officer console: proper async echo of whistle state.
class SafetySession : public std::enable_shared_from_this<SafetySession> {
public:
  explicit SafetySession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

private:
  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->reply_ = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      self->ws_.async_write(asio::buffer(self->reply_),
                            [self](beast::error_code ec, std::size_t) {
                              if (!ec)
                                self->do_read();
                            });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string reply_;
};

// Leaderboard push: coroutine per scoring round.
asio::awaitable<void> push_round(const RangeConfig cfg, json round) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto endpoints = resolver.resolve(cfg.leaderboard_host, cfg.leaderboard_port); // expect: errorshield-ws-blocking-in-handler
  beast::tcp_stream stream(ex);
  co_await stream.async_connect(endpoints, asio::use_awaitable);
  http::request<http::string_body> req{http::verb::post, "/round", 11};
  req.body() = round.dump();
  req.prepare_payload();
  co_await http::async_write(stream, req, asio::use_awaitable);
}

// Same push, fully asynchronous, used for the finals.
asio::awaitable<void> push_final(const RangeConfig cfg, json round) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto endpoints = co_await resolver.async_resolve(cfg.leaderboard_host, cfg.leaderboard_port,
                                                   asio::use_awaitable);
  beast::tcp_stream stream(ex);
  co_await stream.async_connect(endpoints, asio::use_awaitable);
  asio::steady_timer settle(ex, 500ms);
  co_await settle.async_wait(asio::use_awaitable);
  http::request<http::string_body> req{http::verb::post, "/final", 11};
  req.body() = round.dump();
  req.prepare_payload();
  co_await http::async_write(stream, req, asio::use_awaitable);
}

// Periodic end-of-round tally; the handicap service runs on its own thread.
void schedule_tally(asio::steady_timer &timer, std::shared_future<int> handicap) {
  timer.expires_after(30s);
  timer.async_wait([&timer, handicap](beast::error_code ec) {
    if (ec)
      return;
    int h = handicap.get(); // expect: errorshield-ws-blocking-in-handler
    std::cout << "round tally, handicap " << h << '\n';
    schedule_tally(timer, handicap);
  });
}

// Judges' HTTP endpoint; the request is read right after accept.
template <class Acceptor> void accept_judges(Acceptor &acceptor) {
  acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket sock) {
    if (!ec) {
      beast::flat_buffer buf;
      http::request<http::string_body> req;
      http::read(sock, buf, req, ec); // expect: errorshield-ws-blocking-in-handler
      if (!ec)
        std::cout << "judge call: " << req.target() << '\n';
    }
    accept_judges(acceptor);
  });
}

// Lane sessions, accepted asynchronously.
void accept_lanes(tcp::acceptor &acceptor) {
  acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket sock) {
    if (!ec)
      std::make_shared<LaneSession>(std::move(sock))->start();
    accept_lanes(acceptor);
  });
}

} // namespace range

int main() {
  auto cfg = range::load_config("/etc/archery/range.json");
  asio::io_context ioc;

  // The leaderboard box sometimes boots after us; wait for it before serving.
  tcp::resolver boot_resolver(ioc);
  for (int attempt = 0; attempt < 5; ++attempt) {
    beast::error_code ec;
    auto eps = boot_resolver.resolve(cfg.leaderboard_host, cfg.leaderboard_port, ec);
    if (!ec && !eps.empty())
      break;
    std::this_thread::sleep_for(2s);
  }

  std::promise<int> handicap_promise;
  std::thread handicap_worker([&] { handicap_promise.set_value(3); });
  std::shared_future<int> handicap = handicap_promise.get_future().share();

  tcp::acceptor lanes(ioc, {tcp::v4(), 9000});
  tcp::acceptor judges(ioc, {tcp::v4(), 9001});
  asio::steady_timer tally(ioc);
  range::accept_lanes(lanes);
  range::accept_judges(judges);
  range::schedule_tally(tally, handicap);
  asio::co_spawn(ioc, range::push_round(cfg, json{{"round", 1}}), asio::detached);
  asio::co_spawn(ioc, range::push_final(cfg, json{{"round", "final"}}), asio::detached);

  std::thread io([&ioc] { ioc.run(); });
  io.join();
  handicap_worker.join();
  std::cout << "final handicap " << handicap.get() << '\n';
}
