// checks: errorshield-unlocked-shared-map
// Market-data fan-out: a quote cache shared between feed workers and HTTP snapshot handlers.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <atomic>
#include <cstdint>
#include <optional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
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

struct quote {
  std::int64_t bid_ticks = 0;
  std::int64_t ask_ticks = 0;
  std::uint64_t seq = 0;
};

// Shared state
static std::shared_mutex g_quotes_mu;
static std::map<std::string, quote> g_quotes;

static std::mutex g_subs_mu;
static std::unordered_map<std::string, std::vector<std::uint64_t>> g_subscribers;

// Immutable lookup table, initialised at startup and never written afterwards.
static const std::map<std::string, int> k_tick_scale = {{"BTC-USD", 100}, {"ETH-USD", 100}, {"EURUSD", 100000}};

// Per-thread scratch cache.
thread_local std::unordered_map<std::string, std::uint64_t> t_last_seen_seq;

void apply_update(std::string const &sym, quote const &q) {
  std::unique_lock lk(g_quotes_mu);
  auto &slot = g_quotes[sym];
  if (q.seq > slot.seq)
    slot = q;
}

void apply_update_fast(std::string const &sym, quote const &q) {
  std::unique_lock lk(g_quotes_mu, std::defer_lock);
  if (q.seq == 0)
    return;
  g_quotes.insert_or_assign(sym, q); // expect: errorshield-unlocked-shared-map
}

std::optional<quote> lookup(std::string const &sym) {
  std::shared_lock lk(g_quotes_mu);
  auto it = g_quotes.find(sym);
  if (it == g_quotes.end())
    return std::nullopt;
  return it->second;
}

int tick_scale(std::string const &sym) {
  auto it = k_tick_scale.find(sym);
  return it == k_tick_scale.end() ? 1 : it->second;
}

bool is_new(std::string const &sym, std::uint64_t seq) {
  auto &last = t_last_seen_seq[sym];
  if (seq <= last)
    return false;
  last = seq;
  return true;
}

void subscribe(std::string const &sym, std::uint64_t conn_id) {
  std::scoped_lock lk(g_subs_mu);
  g_subscribers[sym].push_back(conn_id);
}

std::size_t subscriber_count(std::string const &sym) {
  auto it = g_subscribers.find(sym); // expect: errorshield-unlocked-shared-map
  std::lock_guard lk(g_subs_mu);
  return it == g_subscribers.end() ? 0 : it->second.size();
}

json snapshot_json() {
  json out = json::object();
  std::map<std::string, quote> copy;
  {
    std::shared_lock lk(g_quotes_mu);
    copy = g_quotes;
  }
  for (auto const &[sym, q] : copy)
    out[sym] = {{"bid", q.bid_ticks}, {"ask", q.ask_ticks}, {"scale", tick_scale(sym)}};
  return out;
}

json snapshot_json_racy() {
  json out = json::object();
  for (auto const &[sym, q] : g_quotes) // expect: errorshield-unlocked-shared-map
    out[sym] = {{"bid", q.bid_ticks}, {"ask", q.ask_ticks}};
  return out;
}

// Feed worker: one per upstream venue, all running concurrently.
void feed_worker(int venue, std::vector<std::string> const &symbols, std::atomic<bool> &stop) {
  std::uint64_t seq = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    for (auto const &s : symbols) {
      ++seq;
      if (!is_new(s, seq))
        continue;
      quote q{100 * venue + static_cast<std::int64_t>(seq % 7), 101 * venue, seq};
      if (venue == 0) {
        apply_update(s, q);
      } else if (venue == 2) {
        apply_update_fast(s, q);
      } else {
        std::shared_lock lk(g_quotes_mu);
        auto it = g_quotes.find(s);
        bool stale = it != g_quotes.end() && it->second.seq >= q.seq;
        lk.unlock();
        if (!stale)
          g_quotes[s] = q; // expect: errorshield-unlocked-shared-map
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

http::response<http::string_body> handle(http::request<http::string_body> const &req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  if (req.target() == "/snapshot")
    res.body() = snapshot_json().dump();
  else if (req.target() == "/snapshot/raw")
    res.body() = snapshot_json_racy().dump();
  else if (req.target().starts_with("/subs/")) {
    std::string sym(req.target().substr(6));
    if (req.method() == http::verb::post)
      subscribe(sym, std::hash<std::string>{}(std::string(req[http::field::host])));
    res.body() = json{{"subscribers", subscriber_count(sym)}}.dump();
  }
  else if (req.target().starts_with("/quote/")) {
    std::string sym(req.target().substr(7));
    if (auto q = lookup(sym))
      res.body() = json{{"bid", q->bid_ticks}, {"ask", q->ask_ticks}}.dump();
    else
      res.result(http::status::not_found);
  } else {
    res.result(http::status::not_found);
  }
  res.prepare_payload();
  return res;
}

void http_session(tcp::socket sock) {
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    http::read(sock, buf, req, ec);
    if (ec)
      break;
    auto res = handle(req);
    http::write(sock, res, ec);
    if (ec || !req.keep_alive())
      break;
  }
}

int main() {
  std::atomic<bool> stop{false};
  std::vector<std::string> syms{"BTC-USD", "ETH-USD", "EURUSD"};

  asio::thread_pool http_pool(4);
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8088});

  std::vector<std::thread> feeds;
  for (int v = 0; v < 3; ++v)
    feeds.emplace_back(feed_worker, v, std::cref(syms), std::ref(stop));

  std::thread acceptor_thread([&] {
    beast::error_code ec;
    for (int i = 0; i < 1000 && !ec; ++i) {
      tcp::socket s(ioc);
      acc.accept(s, ec);
      if (!ec)
        asio::post(http_pool, [s = std::move(s)]() mutable { http_session(std::move(s)); });
    }
  });

  acceptor_thread.join();
  stop = true;
  for (auto &t : feeds)
    t.join();
  http_pool.join();

  // Every other thread has been joined: single-threaded again.
  std::size_t n = g_quotes.size();
  g_quotes.clear();
  return n > 0 ? 0 : 1;
}
