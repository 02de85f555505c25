// checks: errorshield-unlocked-shared-map
// Theatre lighting cue server: the board operator, the designer's laptop and
// the stage manager's tablet all connect over WebSocket; the io_context runs
// on several threads and DMX output is computed on a small thread pool.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace lx {

struct Cue {
  int number = 0;
  std::string label;
  double fade_s = 3.0;
  std::map<int, int> levels;  // channel -> 0..100
};

struct Fixture {
  std::string model;
  int footprint = 1;
};

// ---------------------------------------------------------------------------
// Cue stack shared by every console session
// ---------------------------------------------------------------------------
class CueStack {
 public:
  void upsert(const Cue& c) {
    std::lock_guard lk(mu_);
    cues_[c.number] = c; // OK
  }

  void remove(int number) {
    cues_.erase(number); // expect: errorshield-unlocked-shared-map
  }

  std::optional<Cue> find(int number) const {
    std::lock_guard lk(mu_);
    auto it = cues_.find(number);
    if (it == cues_.end()) return std::nullopt;
    return it->second;
  }

  void renumber(int from, int to) {
    std::unique_lock lk(mu_);
    move_locked(lk, from, to);
  }

  void replace_all(const json& show) {
    std::map<int, Cue> fresh;  // private until the swap below
    for (const auto& j : show) {
      Cue c{j.value("n", 0), j.value("label", ""), j.value("fade", 3.0), {}};
      fresh[c.number] = std::move(c); // OK: local map
    }
    std::lock_guard lk(mu_);
    cues_.swap(fresh);
  }

 private:
  void move_locked(std::unique_lock<std::mutex>&, int from, int to) {
    auto node = cues_.extract(from); // OK: caller holds mu_
    if (node.empty()) return;
    node.key() = to;
    node.mapped().number = to;
    cues_.insert(std::move(node));
  }

  mutable std::mutex mu_;
  std::map<int, Cue> cues_;
};

// ---------------------------------------------------------------------------
// DMX engine: level changes are merged on a worker pool
// ---------------------------------------------------------------------------
class DmxEngine {
 public:
  void set_level(int channel, std::uint8_t value) {
    asio::post(pool_, [this, channel, value] { pending_[channel] = value; }); // expect: errorshield-unlocked-shared-map
  }

  void park(int channel, std::uint8_t value) {
    asio::post(pool_, [this, channel, value] {
      std::lock_guard lk(park_mu_);
      parked_[channel] = value; // OK
    });
  }

  void set_palette(const std::string& name, std::vector<int> channels) {
    std::unique_lock lk(palette_mu_);
    palettes_[name] = std::move(channels); // OK
  }

  std::vector<int> palette(const std::string& name) const {
    std::shared_lock lk(palette_mu_);
    auto it = palettes_.find(name);
    return it == palettes_.end() ? std::vector<int>{} : it->second;
  }

 private:
  asio::thread_pool pool_{4};
  std::unordered_map<int, std::uint8_t> pending_;
  std::mutex park_mu_;
  std::unordered_map<int, std::uint8_t> parked_;
  mutable std::shared_mutex palette_mu_;
  std::unordered_map<std::string, std::vector<int>> palettes_;
};

// ---------------------------------------------------------------------------
// Rig patch (global, edited from the designer's laptop and the board)
// ---------------------------------------------------------------------------
struct Rig {
  std::mutex mu;
  std::map<int, Fixture> fixtures;  // DMX start address -> fixture
};

Rig g_rig;

std::unique_lock<std::mutex> lock_rig() { return std::unique_lock<std::mutex>(g_rig.mu); }

void unpatch(int address) {
  auto lk = lock_rig();
  g_rig.fixtures.erase(address); // OK: lock held through helper
}

void patch_fixture(Rig& rig, int address, Fixture f) {
  rig.fixtures[address] = std::move(f); // expect: errorshield-unlocked-shared-map
}

// Per-thread cache of formatted channel labels; never shared.
std::string channel_label(int ch) {
  thread_local std::unordered_map<int, std::string> cache;
  auto it = cache.find(ch);
  if (it != cache.end()) return it->second;
  return cache[ch] = "ch" + std::to_string(ch); // OK: thread_local
}

CueStack g_stack;
DmxEngine g_dmx;

// ---------------------------------------------------------------------------
// Console sessions
// ---------------------------------------------------------------------------
class ConsoleSession;
std::mutex g_consoles_mu;
std::unordered_map<std::string, std::weak_ptr<ConsoleSession>> g_consoles;

class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
 public:
  ConsoleSession(tcp::socket s, std::string name) : ws_(std::move(s)), name_(std::move(name)) {}

  ~ConsoleSession() {
    std::lock_guard lk(g_consoles_mu);
    g_consoles.erase(name_); // OK
  }

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      g_consoles[self->name_] = self; // expect: errorshield-unlocked-shared-map
      self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->dispatch(json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false));
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  void dispatch(const json& msg) {
    if (msg.is_discarded()) return;
    const auto op = msg.value("op", "");
    if (op == "record") {
      g_stack.upsert(Cue{msg.value("n", 0), msg.value("label", ""), msg.value("fade", 3.0), {}});
    } else if (op == "delete") {
      g_stack.remove(msg.value("n", 0));
    } else if (op == "level") {
      g_dmx.set_level(msg.value("ch", 1), static_cast<std::uint8_t>(msg.value("v", 0)));
    } else if (op == "patch") {
      patch_fixture(g_rig, msg.value("addr", 1), Fixture{msg.value("model", ""), msg.value("fp", 1)});
    } else if (op == "unpatch") {
      unpatch(msg.value("addr", 1));
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::string name_;
};

// Built once at start-up before any thread runs; read-only afterwards.
const std::map<std::string, int>& house_presets() {
  static const std::map<std::string, int> presets = [] {
    std::map<std::string, int> m;
    m["preshow"] = 40;
    m["house_out"] = 0; // OK: local during static init
    m["walkout"] = 70;
    return m;
  }();
  return presets;
}

void accept_loop(tcp::acceptor& acc, int& counter) {
  acc.async_accept([&acc, &counter](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<ConsoleSession>(std::move(s), "console-" + std::to_string(++counter))->start();
    accept_loop(acc, counter);
  });
}

void run_server(unsigned short port, unsigned threads) {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  int counter = 0;
  accept_loop(acc, counter);
  std::vector<std::jthread> workers;
  for (unsigned i = 0; i < threads; ++i) workers.emplace_back([&ioc] { ioc.run(); });
}

}  // namespace lx
