// checks: errorshield-thread-per-connection
// Stock-exchange order entry gateway: member firms connect over TCP with a
// length-prefixed binary protocol, a separate port serves drop-copy
// subscribers, and a third port takes pre-trade risk limit updates.
// Matching shards and the sequencer run on dedicated, fixed threads.
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

struct order_msg {
  std::uint64_t client_order_id = 0;
  std::uint32_t instrument = 0;
  std::int64_t price_ticks = 0;
  std::uint32_t qty = 0;
  char side = 'B';
};

struct gateway_config {
  unsigned short member_port = 9100;
  unsigned short dropcopy_port = 9101;
  unsigned short risk_port = 9102;
  unsigned short ops_port = 9103;
  unsigned io_threads = 4;
  unsigned matching_shards = 8;
};

class order_gateway {
public:
  explicit order_gateway(gateway_config cfg)
      : cfg_(cfg),
        member_acceptor_(ioc_, {tcp::v4(), cfg.member_port}),
        dropcopy_acceptor_(ioc_, {tcp::v4(), cfg.dropcopy_port}),
        risk_acceptor_(ioc_, {tcp::v4(), cfg.risk_port}),
        ops_acceptor_(ioc_, {tcp::v4(), cfg.ops_port}),
        matcher_pool_(cfg.matching_shards) {}

  ~order_gateway() { stop(); }

  void start() {
    // Fixed-size pool of io threads, sized from config, not from load.
    for (unsigned i = 0; i < cfg_.io_threads; ++i)
      io_threads_.emplace_back([this] { ioc_.run(); });
    // One sequencer thread for the whole gateway.
    sequencer_ = std::thread([this] { run_sequencer(); });
    accept_dropcopy();
    accept_risk();
    accept_ops();
    member_listener_ = std::thread([this] { member_accept_loop(); });
  }

  void stop() {
    running_ = false;
    ioc_.stop();
    for (auto& t : io_threads_)
      if (t.joinable()) t.join();
    if (sequencer_.joinable()) sequencer_.join();
    if (member_listener_.joinable()) member_listener_.join();
    matcher_pool_.join();
  }

private:
  // --- member order entry: blocking accept loop on its own listener thread --
  void member_accept_loop() {
    while (running_) {
      tcp::socket s(ioc_);
      error_code ec;
      member_acceptor_.accept(s, ec);
      if (ec) continue;
      s.set_option(tcp::no_delay(true));
      std::thread(&order_gateway::serve_member, this, std::move(s)).detach();  // expect: errorshield-thread-per-connection
    }
  }

  void serve_member(tcp::socket s) {
    std::array<char, sizeof(order_msg)> frame{};
    std::atomic<std::int64_t> last_rx{now_ms()};
    // cancel-on-disconnect: pull the member's orders if it goes quiet
    std::jthread heartbeat([this, &last_rx, &s](std::stop_token st) {  // expect: errorshield-thread-per-connection
      while (!st.stop_requested()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        if (now_ms() - last_rx.load() > 3000) {
          error_code ignored;
          s.shutdown(tcp::socket::shutdown_both, ignored);
          return;
        }
      }
    });
    error_code ec;
    while (running_) {
      asio::read(s, asio::buffer(frame), ec);
      if (ec) break;
      last_rx = now_ms();
      order_msg o{};
      std::memcpy(&o, frame.data(), sizeof o);
      route_to_shard(o);
    }
  }

  // Orders are handed to a fixed pool; one task per order, not per thread.
  void route_to_shard(const order_msg& o) {
    asio::post(matcher_pool_, [this, o] { match(o); });
  }

  void match(const order_msg& o) {
    std::lock_guard lk(book_mu_);
    resting_[o.instrument] += o.qty;
  }

  // --- drop-copy subscribers -----------------------------------------------
  void accept_dropcopy() {
    dropcopy_acceptor_.async_accept([this](error_code ec, tcp::socket sock) {
      if (!ec) {
        std::lock_guard lk(dc_mu_);
        dropcopy_workers_.emplace_back([this, s = std::move(sock)]() mutable {  // expect: errorshield-thread-per-connection
          stream_drop_copy(std::move(s));
        });
      }
      accept_dropcopy();
    });
  }

  void stream_drop_copy(tcp::socket s) {
    error_code ec;
    while (running_ && !ec) {
      const std::string line = next_execution_report();
      asio::write(s, asio::buffer(line), ec);
    }
  }

  // --- risk limit updates ---------------------------------------------------
  void accept_risk() {
    risk_acceptor_.async_accept([this](error_code ec, tcp::socket sock) {
      if (!ec) start_risk_session(std::move(sock));
      accept_risk();
    });
  }

  void start_risk_session(tcp::socket sock) {
    auto fut = std::async(std::launch::async, [this, s = std::move(sock)]() mutable {  // expect: errorshield-thread-per-connection
      apply_risk_updates(s);
    });
    std::lock_guard lk(risk_mu_);
    risk_sessions_.push_back(std::move(fut));
  }

  void apply_risk_updates(tcp::socket& s) {
    std::array<std::uint8_t, 16> rec{};
    error_code ec;
    while (running_) {
      asio::read(s, asio::buffer(rec), ec);
      if (ec) return;
      std::lock_guard lk(book_mu_);
      risk_limits_[rec[0]] = rec[1];
    }
  }

  // --- ops console: async, runs on the io pool, no thread per connection ---
  void accept_ops() {
    ops_acceptor_.async_accept([this](error_code ec, tcp::socket sock) {
      if (!ec) {
        auto s = std::make_shared<tcp::socket>(std::move(sock));
        auto buf = std::make_shared<std::string>(status_line());
        asio::async_write(*s, asio::buffer(*buf), [s, buf](error_code, std::size_t) {});
      }
      accept_ops();
    });
  }

  // --- helpers ---------------------------------------------------------------
  static std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  }

  void run_sequencer() {
    while (running_) {
      seq_.fetch_add(1, std::memory_order_relaxed);
      std::this_thread::yield();
    }
  }

  std::string next_execution_report() {
    return "8=FIX.4.4|35=8|34=" + std::to_string(seq_.load()) + "|\n";
  }

  std::string status_line() {
    std::lock_guard lk(book_mu_);
    return "instruments=" + std::to_string(resting_.size()) + "\n";
  }

  gateway_config cfg_;
  asio::io_context ioc_;
  tcp::acceptor member_acceptor_;
  tcp::acceptor dropcopy_acceptor_;
  tcp::acceptor risk_acceptor_;
  tcp::acceptor ops_acceptor_;
  asio::thread_pool matcher_pool_;
  std::vector<std::thread> io_threads_;
  std::thread sequencer_;
  std::thread member_listener_;
  std::mutex dc_mu_;
  std::vector<std::thread> dropcopy_workers_;
  std::mutex risk_mu_;
  std::vector<std::future<void>> risk_sessions_;
  std::mutex book_mu_;
  std::map<std::uint32_t, std::uint64_t> resting_;
  std::map<std::uint8_t, std::uint8_t> risk_limits_;
  std::atomic<bool> running_{true};
  std::atomic<std::uint64_t> seq_{0};
};

int main() {
  order_gateway gw(gateway_config{});
  gw.start();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  gw.stop();
}
