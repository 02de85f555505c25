// checks: errorshield-ws-blocking-in-handler
// Substation alarm console: RTU gateway frames come in over TCP, operators watch
// and acknowledge alarms in a browser console connected over WebSocket.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace grid {

struct RtuLink {
  explicit RtuLink(net::io_context &ioc) : socket(ioc) {}
  tcp::socket socket;
  std::uint16_t station = 0;
};

struct AlarmFrame {
  std::uint32_t point = 0;
  std::uint8_t severity = 0;
  std::uint8_t state = 0;
  std::uint32_t ts = 0;
};

inline std::array<std::uint8_t, 8> encode_ack(std::uint32_t point, std::uint16_t station) {
  return {0x68, 0x06, std::uint8_t(station >> 8), std::uint8_t(station),
          std::uint8_t(point >> 16), std::uint8_t(point >> 8), std::uint8_t(point), 0x01};
}

// Startup only: connect to the gateway and send a general interrogation before run().
inline void connect_rtu(RtuLink &link, const std::string &host, const std::string &port) {
  tcp::resolver resolver(link.socket.get_executor());
  net::connect(link.socket, resolver.resolve(host, port));
  const std::array<std::uint8_t, 6> gi{0x68, 0x04, 0x07, 0x00, 0x00, 0x00};
  net::write(link.socket, net::buffer(gi)); // OK: before ioc.run()
}

class Historian {
public:
  explicit Historian(const char *path) : f_(std::fopen(path, "ab")) {
    worker_ = std::thread([this] { drain(); });
  }
  ~Historian() {
    stop_ = true;
    worker_.join();
    if (f_) std::fclose(f_);
  }
  void push(AlarmFrame a) {
    std::lock_guard lk(mu_);
    q_.push_back(a);
  }

private:
  void drain() {
    while (!stop_) {
      std::deque<AlarmFrame> batch;
      {
        std::lock_guard lk(mu_);
        batch.swap(q_);
      }
      for (auto &a : batch) std::fwrite(&a, sizeof a, 1, f_); // OK: own thread
      std::fflush(f_);
      std::this_thread::sleep_for(200ms); // OK: own thread
    }
  }
  std::FILE *f_;
  std::thread worker_;
  std::mutex mu_;
  std::deque<AlarmFrame> q_;
  std::atomic<bool> stop_{false};
};

class Console : public std::enable_shared_from_this<Console> {
public:
  Console(tcp::socket s, std::shared_ptr<RtuLink> rtu, sqlite3 *db, net::thread_pool &journal,
          Historian &hist)
      : ws_(std::move(s)), rtu_(std::move(rtu)), db_(db), journal_(journal), hist_(hist),
        debounce_(ws_.get_executor()), shelve_timer_(ws_.get_executor()) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->read_cmd();
      net::co_spawn(self->ws_.get_executor(), self->alarm_pump(), net::detached);
    });
  }

private:
  void read_cmd() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto cmd = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
      self->in_.consume(self->in_.size());
      if (!cmd.is_discarded()) self->on_command(cmd);
      self->read_cmd();
    });
  }

  void on_command(const json &cmd) {
    const auto op = cmd.value("op", std::string{});
    const auto point = cmd.value("point", 0u);
    if (op == "ack") {
      auto frame = encode_ack(point, rtu_->station);
      net::write(rtu_->socket, net::buffer(frame)); // expect: errorshield-ws-blocking-in-handler
      journal_sync("ACK", point); // expect: errorshield-ws-blocking-in-handler
    } else if (op == "ack_async") {
      auto frame = std::make_shared<std::array<std::uint8_t, 8>>(encode_ack(point, rtu_->station));
      net::async_write(rtu_->socket, net::buffer(*frame),
                       [frame](beast::error_code, std::size_t) {}); // OK
      journal_async("ACK", point);
    } else if (op == "shelve") {
      shelve(point, std::chrono::minutes(cmd.value("minutes", 15)));
    }
  }

  // Synchronous journal insert: fine from the journal pool, not from the io thread.
  void journal_sync(const std::string &what, std::uint32_t point) {
    const std::string sql = "INSERT INTO journal(kind, point) VALUES('" + what + "', " +
                            std::to_string(point) + ");";
    sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }

  void journal_async(const std::string &what, std::uint32_t point) {
    net::post(journal_, [self = shared_from_this(), what, point] {
      self->journal_sync(what, point); // OK: journal pool
    });
  }

  void shelve(std::uint32_t point, std::chrono::minutes dur) {
    std::weak_ptr<RtuLink> weak = rtu_;
    pending_requery_ = [weak, point] {
      auto link = weak.lock();
      if (!link) return;
      std::array<std::uint8_t, 6> q{0x68, 0x04, 0x66, std::uint8_t(point >> 16),
                                    std::uint8_t(point >> 8), std::uint8_t(point)};
      net::write(link->socket, net::buffer(q)); // expect: errorshield-ws-blocking-in-handler
      std::array<std::uint8_t, 8> reply{};
      net::read(link->socket, net::buffer(reply)); // expect: errorshield-ws-blocking-in-handler
    };
    shelve_timer_.expires_after(dur);
    shelve_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && self->pending_requery_) self->pending_requery_();
    });
  }

  net::awaitable<void> alarm_pump() {
    std::array<std::uint8_t, sizeof(AlarmFrame)> raw{};
    for (;;) {
      auto [ec, n] = co_await net::async_read(rtu_->socket, net::buffer(raw),
                                              net::as_tuple(net::use_awaitable));
      if (ec) co_return;
      AlarmFrame a{};
      std::memcpy(&a, raw.data(), sizeof a);
      hist_.push(a); // OK: queue handoff

      if (a.severity >= 3) {
        std::string sql = "INSERT INTO critical(point, ts) VALUES(" + std::to_string(a.point) +
                          ", " + std::to_string(a.ts) + ");";
        sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); // expect: errorshield-ws-blocking-in-handler
      }

      if (++burst_ > 50) {
        ::usleep(250 * 1000); // expect: errorshield-ws-blocking-in-handler
        burst_ = 0;
      }

      json out{{"point", a.point}, {"sev", a.severity}, {"state", a.state}, {"ts", a.ts}};
      auto [wec, wn] = co_await ws_.async_write(net::buffer(out.dump()),
                                                net::as_tuple(net::use_awaitable)); // OK
      if (wec) co_return;
    }
  }

  // Non-blocking debounce used by the "mute for 2s" console button.
  void mute_briefly() {
    muted_ = true;
    debounce_.expires_after(2s);
    debounce_.async_wait([self = shared_from_this()](beast::error_code) {
      self->muted_ = false; // OK: no sleep
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::shared_ptr<RtuLink> rtu_;
  sqlite3 *db_;
  net::thread_pool &journal_;
  Historian &hist_;
  net::steady_timer debounce_;
  net::steady_timer shelve_timer_;
  std::function<void()> pending_requery_;
  int burst_ = 0;
  bool muted_ = false;
};

} // namespace grid
