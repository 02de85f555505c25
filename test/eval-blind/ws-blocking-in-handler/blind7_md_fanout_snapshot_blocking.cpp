// checks: errorshield-ws-blocking-in-handler
// mdfan: market-data fan-out. One upstream line feed is fanned out to many
// WebSocket clients; clients can subscribe and ask for on-disk book snapshots.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

#define MDLOG(lvl) std::clog << "[mdfan][" lvl "] "

namespace mdfan {

struct FanoutConfig {
  std::string snapshot_dir = "/var/lib/mdfan/snapshots";
  std::string upstream_host = "feed-a.md.internal";
  std::string upstream_port = "9001";
  std::chrono::seconds reconnect_backoff{2};
  std::chrono::milliseconds slow_consumer_pause{20};
  std::size_t high_water = 4096;
};

// Reads a persisted book snapshot. Used for cache warm-up from main() before
// the io_context runs, and from the disk pool.
std::string load_snapshot_from_disk(const FanoutConfig& cfg, const std::string& symbol) {
  std::ifstream in(cfg.snapshot_dir + "/" + symbol + ".json", std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class SnapshotCache {
 public:
  void put(const std::string& sym, std::string body) {
    std::lock_guard<std::mutex> lk(mu_);
    cache_[sym] = std::move(body);
  }
  bool get(const std::string& sym, std::string& out) const {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = cache_.find(sym);
    if (it == cache_.end()) return false;
    out = it->second;
    return true;
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::string> cache_;
};

// Entitlement lookups go to a slow LDAP-backed service; the API is future based.
class EntitlementService {
 public:
  std::future<bool> check_async(std::string user, std::string symbol) {
    return std::async(std::launch::async, [user = std::move(user), symbol = std::move(symbol)] {
      return !user.empty() && symbol.size() <= 12;
    });
  }
};

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  ClientSession(tcp::socket s, const FanoutConfig& cfg, SnapshotCache& cache,
                net::thread_pool& disk_pool, EntitlementService& ent)
      : ws_(std::move(s)), cfg_(cfg), cache_(cache), disk_pool_(disk_pool), ent_(ent),
        pause_timer_(ws_.get_executor()) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(beast::bind_front_handler(&ClientSession::on_accept, shared_from_this()));
  }

  void deliver(std::shared_ptr<const std::string> frame) {
    net::post(ws_.get_executor(), [self = shared_from_this(), frame = std::move(frame)]() mutable {
      self->enqueue(std::move(frame));
    });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) {
      MDLOG("warn") << "ws accept failed: " << ec.message() << "\n";
      return;
    }
    user_ = "anon-" + std::to_string(reinterpret_cast<std::uintptr_t>(this) & 0xffff);
    do_read();
  }

  void do_read() {
    ws_.async_read(rx_, beast::bind_front_handler(&ClientSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) return;
    if (ec) {
      MDLOG("warn") << "read: " << ec.message() << "\n";
      return;
    }
    auto msg = json::parse(beast::buffers_to_string(rx_.data()), nullptr, false);
    rx_.consume(rx_.size());
    if (msg.is_discarded() || !msg.is_object()) {
      enqueue(std::make_shared<const std::string>(R"({"op":"error","reason":"bad json"})"));
      return do_read();
    }

    const auto op = msg.value("op", std::string{});
    if (op == "subscribe") {
      handle_subscribe(msg);
    } else if (op == "snapshot") {
      const auto sym = msg.value("symbol", std::string{});
      auto body = load_snapshot_from_disk(cfg_, sym); // expect: errorshield-ws-blocking-in-handler
      enqueue(std::make_shared<const std::string>(std::move(body)));
    } else if (op == "ping") {
      ws_.text(true);
      ws_.write(net::buffer(std::string(R"({"op":"pong"})"))); // expect: errorshield-ws-blocking-in-handler
    }
    do_read();
  }

  void handle_subscribe(const json& msg) {
    // json::get<> is a conversion, not a wait.
    auto symbols = msg.at("symbols").get<std::vector<std::string>>();
    for (const auto& sym : symbols) {
      auto allowed = ent_.check_async(user_, sym);
      if (!allowed.get()) { // expect: errorshield-ws-blocking-in-handler
        MDLOG("info") << user_ << " not entitled to " << sym << "\n";
        continue;
      }
      subscribed_.insert(sym);

      std::string cached;
      if (cache_.get(sym, cached)) {
        enqueue(std::make_shared<const std::string>(std::move(cached)));
        continue;
      }
      // Cache miss: file I/O runs on the disk pool, result is posted back to
      // the session's executor.
      net::post(disk_pool_, [self = shared_from_this(), sym] {
        auto snap = load_snapshot_from_disk(self->cfg_, sym);
        self->cache_.put(sym, snap);
        net::post(self->ws_.get_executor(), [self, snap = std::move(snap)]() mutable {
          self->enqueue(std::make_shared<const std::string>(std::move(snap)));
        });
      });
    }
  }

  void enqueue(std::shared_ptr<const std::string> frame) {
    outq_.push_back(std::move(frame));
    if (outq_.size() > 1) return;
    do_write();
  }

  void do_write() {
    ws_.text(true);
    ws_.async_write(net::buffer(*outq_.front()),
                    beast::bind_front_handler(&ClientSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) {
      MDLOG("warn") << "write: " << ec.message() << "\n";
      outq_.clear();
      return;
    }
    outq_.pop_front();
    if (outq_.empty()) return;
    if (outq_.size() > cfg_.high_water) {
      // Slow consumer: back off on a timer rather than stalling the thread.
      pause_timer_.expires_after(cfg_.slow_consumer_pause);
      pause_timer_.async_wait([self = shared_from_this()](beast::error_code tec) {
        if (!tec) self->do_write();
      });
      return;
    }
    do_write();
  }

  websocket::stream<beast::tcp_stream> ws_;
  const FanoutConfig& cfg_;
  SnapshotCache& cache_;
  net::thread_pool& disk_pool_;
  EntitlementService& ent_;
  net::steady_timer pause_timer_;
  beast::flat_buffer rx_;
  std::deque<std::shared_ptr<const std::string>> outq_;
  std::set<std::string> subscribed_;
  std::string user_;
};

class UpstreamFeed : public std::enable_shared_from_this<UpstreamFeed> {
 public:
  using Sink = std::function<void(std::string)>;
  UpstreamFeed(net::io_context& ioc, const FanoutConfig& cfg, Sink sink)
      : cfg_(cfg), resolver_(ioc), sock_(ioc), retry_timer_(ioc), sink_(std::move(sink)) {}

  void start() { resolve_and_connect(); }

 private:
  void resolve_and_connect() {
    resolver_.async_resolve(cfg_.upstream_host, cfg_.upstream_port,
                            beast::bind_front_handler(&UpstreamFeed::on_resolve, shared_from_this()));
  }
  void on_resolve(beast::error_code ec, tcp::resolver::results_type eps) {
    if (ec) return schedule_reconnect();
    net::async_connect(sock_, eps, beast::bind_front_handler(&UpstreamFeed::on_connect, shared_from_this()));
  }
  void on_connect(beast::error_code ec, const tcp::endpoint& ep) {
    if (ec) return schedule_reconnect();
    MDLOG("info") << "upstream connected to " << ep << "\n";
    do_read();
  }
  void do_read() {
    net::async_read_until(sock_, net::dynamic_buffer(line_), '\n',
                          beast::bind_front_handler(&UpstreamFeed::on_line, shared_from_this()));
  }
  void on_line(beast::error_code ec, std::size_t n) {
    if (ec) return on_disconnect(ec);
    std::string line = line_.substr(0, n - 1);
    line_.erase(0, n);
    sink_(std::move(line));
    do_read();
  }
  void on_disconnect(beast::error_code why) {
    MDLOG("warn") << "upstream lost: " << why.message() << "\n";
    beast::error_code ignored;
    sock_.close(ignored);
    line_.clear();
    std::this_thread::sleep_for(cfg_.reconnect_backoff); // expect: errorshield-ws-blocking-in-handler
    tcp::resolver r(sock_.get_executor());
    auto eps = r.resolve(cfg_.upstream_host, cfg_.upstream_port); // expect: errorshield-ws-blocking-in-handler
    net::async_connect(sock_, eps, beast::bind_front_handler(&UpstreamFeed::on_connect, shared_from_this()));
  }
  void schedule_reconnect() {
    retry_timer_.expires_after(cfg_.reconnect_backoff);
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->resolve_and_connect();
    });
  }

  const FanoutConfig& cfg_;
  tcp::resolver resolver_;
  tcp::socket sock_;
  net::steady_timer retry_timer_;
  Sink sink_;
  std::string line_;
};

}  // namespace mdfan

int main() {
  mdfan::FanoutConfig cfg;
  mdfan::SnapshotCache cache;

  // Warm-up happens before any handler runs: blocking here is fine.
  auto warm = std::async(std::launch::async, [&] {
    for (const char* sym : {"ESZ5", "NQZ5", "CLF6"}) cache.put(sym, mdfan::load_snapshot_from_disk(cfg, sym));
  });
  warm.get();

  net::io_context ioc;
  net::thread_pool disk_pool(2);
  auto feed = std::make_shared<mdfan::UpstreamFeed>(ioc, cfg, [](std::string line) {
    MDLOG("debug") << "tick " << line.size() << "B\n";
  });
  feed->start();

  std::thread stats([&ioc] {
    while (!ioc.stopped()) std::this_thread::sleep_for(std::chrono::seconds(10));
  });
  ioc.run();
  stats.join();
  disk_pool.join();
}
