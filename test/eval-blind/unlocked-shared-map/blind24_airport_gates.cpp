// checks: errorshield-unlocked-shared-map
// Gate assignment board: airline ops clients post gate changes over HTTP, the
// board fans them out to the terminal displays. The io_context runs on a
// pool of worker threads.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace gates {

struct Assignment {
  std::string flight;
  std::string gate;
  std::string status;
};

// flight -> assignment, written by every HTTP session
std::unordered_map<std::string, Assignment> g_board;
std::mutex g_board_mu;

// Displays that asked for a full refresh since the last tick.
std::set<std::string> g_dirty_displays;

void apply_change(const json &j) {
  Assignment a{j.at("flight"), j.at("gate"), j.value("status", "scheduled")};
  std::lock_guard lk(g_board_mu);
  g_board[a.flight] = std::move(a);
}

void remove_flight(const std::string &flight) {
  g_board.erase(flight); // expect: errorshield-unlocked-shared-map
}

void mark_dirty(const std::string &display_id) {
  g_dirty_displays.insert(display_id); // expect: errorshield-unlocked-shared-map
}

json snapshot() {
  json out = json::array();
  std::lock_guard lk(g_board_mu);
  for (const auto &[flight, a] : g_board)
    out.push_back({{"flight", flight}, {"gate", a.gate}, {"status", a.status}});
  return out;
}

class Session : public std::enable_shared_from_this<Session> {
public:
  explicit Session(tcp::socket s) : stream_(std::move(s)) {}
  void run() { read(); }

private:
  void read() {
    req_ = {};
    http::async_read(stream_, buf_, req_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (ec)
            return;
          self->handle();
        });
  }

  void handle() {
    auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req_.version());
    res->set(http::field::content_type, "application/json");
    if (req_.method() == http::verb::post && req_.target() == "/gate") {
      apply_change(json::parse(req_.body()));
      res->body() = R"({"ok":true})";
    } else if (req_.method() == http::verb::delete_) {
      remove_flight(std::string(req_.target().substr(1)));
      res->body() = R"({"ok":true})";
    } else if (req_.target() == "/board") {
      mark_dirty(std::string(req_[http::field::user_agent]));
      res->body() = snapshot().dump();
    } else {
      res->result(http::status::not_found);
    }
    res->prepare_payload();
    http::async_write(stream_, *res,
        [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
          if (!ec)
            self->read();
        });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
};

// Per-terminal cache of what each display is currently showing.
class DisplayCache {
public:
  void set(const std::string &display, const std::string &rendered) {
    std::unique_lock lk(mu_);
    shown_[display] = rendered;
  }

  std::string get(const std::string &display) const {
    std::shared_lock lk(mu_);
    auto it = shown_.find(display);
    return it == shown_.end() ? std::string{} : it->second;
  }

  // Display went offline (called from the heartbeat handler).
  void forget(const std::string &display) {
    shown_.erase(display); // expect: errorshield-unlocked-shared-map
  }

private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::string> shown_;
};

// Counts of gate changes per terminal, updated by the tally workers.
template <class Key>
class ChangeTally {
public:
  void bump(const Key &k) { ++counts_[k]; } // expect: errorshield-unlocked-shared-map

  void bump_locked(const Key &k) {
    std::scoped_lock lk(mu_);
    ++counts_[k];
  }

  std::size_t size() const { return counts_.size(); }

private:
  std::mutex mu_;
  std::unordered_map<Key, int> counts_;
};

// Board for a single pier, only ever touched through its strand.
class PierBoard {
public:
  explicit PierBoard(asio::any_io_executor ex) : strand_(asio::make_strand(ex)) {}

  void assign(std::string flight, std::string gate) {
    asio::post(strand_, [this, flight = std::move(flight), gate = std::move(gate)] {
      gates_[flight] = gate;
    });
  }

private:
  asio::strand<asio::any_io_executor> strand_;
  std::map<std::string, std::string> gates_;
};

// Pre-compute gate -> walking distance table; local only.
std::map<std::string, int> build_walk_table(const std::vector<std::string> &gates) {
  std::map<std::string, int> table;
  int d = 0;
  for (const auto &g : gates)
    table.emplace(g, d += 40);
  return table;
}

ChangeTally<std::string> g_terminal_tally;

void ingest_feed(const std::vector<Assignment> &feed, unsigned workers) {
  std::vector<std::thread> pool;
  std::set<std::string> seen_flights;
  std::mutex seen_mu;
  std::map<std::string, int> per_airline;
  for (unsigned w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      for (std::size_t i = w; i < feed.size(); i += workers) {
        g_terminal_tally.bump(feed[i].gate.substr(0, 1));
        per_airline[feed[i].flight.substr(0, 2)] += 1; // expect: errorshield-unlocked-shared-map
        {
          std::lock_guard lk(seen_mu);
          seen_flights.insert(feed[i].flight);
        }
      }
    });
  }
  for (auto &t : pool)
    t.join();
}

void expire_departed(const std::vector<std::string> &departed, unsigned workers) {
  std::vector<std::thread> pool;
  std::set<std::string> cleared;
  for (unsigned w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      for (std::size_t i = w; i < departed.size(); i += workers) {
        std::lock_guard lk(g_board_mu);
        g_board.erase(departed[i]);
        cleared.insert(departed[i]);
      }
    });
  }
  for (auto &t : pool)
    t.join();
}

void serve(unsigned short port, unsigned threads) {
  asio::io_context ioc(static_cast<int>(threads));
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  std::function<void()> accept = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec)
        std::make_shared<Session>(std::move(s))->run();
      accept();
    });
  };
  accept();
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i)
    pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto &t : pool)
    t.join();
}

} // namespace gates
