// checks: errorshield-unlocked-shared-map
// County tally server: every precinct voting booth (scanner + ballot box) posts
// signed batch reports over HTTP; the election-night dashboard polls /totals.
// One io_context, served by a pool of worker threads; audit writes go to a
// separate two-thread pool so a slow disk never stalls booths.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using Clock = std::chrono::system_clock;

struct BatchReport {
  std::string booth;
  std::string precinct;
  std::uint64_t seq = 0;
  std::map<std::string, long> votes;  // candidate -> count in this batch
};

bool signature_valid(const json& body);
void append_audit_record(const std::string& line);

// booth id -> last accepted batch sequence number (replay protection)
std::unordered_map<std::string, std::uint64_t> g_last_seq;
std::mutex g_seq_mu;

// booth id -> address it last reported from (shown on the dashboard)
std::unordered_map<std::string, std::string> g_booth_addr;

struct ServerState {
  std::mutex mu;
  std::unordered_map<std::string, Clock::time_point> polls_opened;  // precinct -> time
  std::unordered_map<std::string, int> sessions_per_ip;
};

class Tally {
 public:
  Tally(net::io_context& ioc, net::thread_pool& audit_pool)
      : dash_strand_(net::make_strand(ioc)), audit_pool_(audit_pool) {}

  void apply(const BatchReport& r) {
    std::lock_guard lk(mu_);
    apply_locked(r);
    net::post(dash_strand_, [this, p = r.precinct] {
      dashboard_dirty_[p] = true;  // OK: only ever touched on dash_strand_
    });
    net::post(audit_pool_, [this, booth = r.booth, seq = r.seq] {
      audit_index_[booth] = seq;  // expect: errorshield-unlocked-shared-map
      append_audit_record(booth + " " + std::to_string(seq));
    });
  }

  void hold(const BatchReport& r) {
    std::lock_guard lk(mu_);
    pending_.insert_or_assign(r.booth, r);  // OK: under mu_
  }

  // Supervisor approved a batch that failed the seq check (booth rebooted).
  bool release_held(const std::string& booth) {
    std::optional<BatchReport> r;
    {
      std::lock_guard lk(mu_);
      auto it = pending_.find(booth);
      if (it == pending_.end()) return false;
      r = it->second;
    }
    apply(*r);
    forget_pending(booth);
    return true;
  }

  void reject(const std::string& booth, std::string why) {
    rejects_[booth].push_back(std::move(why));  // expect: errorshield-unlocked-shared-map
  }

  json totals() const {
    std::lock_guard lk(mu_);
    json out = json::object();
    for (const auto& [precinct, by_cand] : totals_) out[precinct] = by_cand;
    return out;
  }

  void flush_dashboard(std::function<void(json)> push) {
    net::post(dash_strand_, [this, push = std::move(push)] {
      json changed = json::array();
      for (auto& [p, dirty] : dashboard_dirty_)
        if (dirty) changed.push_back(p);
      dashboard_dirty_.clear();  // OK: on dash_strand_
      push(std::move(changed));
    });
  }

 private:
  template <class Key>
  void forget_pending(const Key& key) {
    pending_.erase(key);  // expect: errorshield-unlocked-shared-map
  }

  // Requires mu_.
  void apply_locked(const BatchReport& r) {
    auto& precinct = totals_[r.precinct];  // OK: caller holds mu_
    for (const auto& [cand, n] : r.votes) precinct[cand] += n;
  }

  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, long>> totals_;
  std::unordered_map<std::string, BatchReport> pending_;
  std::map<std::string, std::vector<std::string>> rejects_;
  std::map<std::string, std::uint64_t> audit_index_;
  std::map<std::string, bool> dashboard_dirty_;
  net::strand<net::io_context::executor_type> dash_strand_;
  net::thread_pool& audit_pool_;
};

std::optional<BatchReport> parse_batch(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !signature_valid(j)) return std::nullopt;
  BatchReport r;
  r.booth = j.at("booth").get<std::string>();
  r.precinct = j.at("precinct").get<std::string>();
  r.seq = j.at("seq").get<std::uint64_t>();
  for (const auto& [cand, n] : j.at("votes").items()) r.votes[cand] = n.get<long>();  // OK: local
  return r;
}

bool accept_seq(const BatchReport& r) {
  std::unique_lock lk(g_seq_mu);
  auto& last = g_last_seq[r.booth];  // OK: under g_seq_mu
  if (r.seq <= last) return false;
  last = r.seq;
  return true;
}

http::response<http::string_body> route(const http::request<http::string_body>& req,
                                        const std::string& peer, Tally& tally, ServerState& st) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  const std::string target(req.target());

  if (req.method() == http::verb::post && target == "/batch") {
    auto r = parse_batch(req.body());
    if (!r) {
      res.result(http::status::bad_request);
      return res;
    }
    g_booth_addr[r->booth] = peer;  // expect: errorshield-unlocked-shared-map
    if (!accept_seq(*r)) {
      tally.hold(*r);
      tally.reject(r->booth, "sequence " + std::to_string(r->seq) + " replayed or out of order");
      res.result(http::status::conflict);
      return res;
    }
    tally.apply(*r);
    res.body() = R"({"ok":true})";
  } else if (req.method() == http::verb::post && target.starts_with("/open/")) {
    std::scoped_lock lk(st.mu);
    st.polls_opened.try_emplace(target.substr(6), Clock::now());  // OK: under st.mu
    res.body() = R"({"ok":true})";
  } else if (req.method() == http::verb::post && target.starts_with("/release/")) {
    res.body() = json{{"released", tally.release_held(target.substr(9))}}.dump();
  } else if (target == "/totals") {
    res.body() = tally.totals().dump();
  } else {
    res.result(http::status::not_found);
  }
  res.prepare_payload();
  return res;
}

net::awaitable<void> serve_booth(tcp::socket sock, Tally& tally, std::shared_ptr<ServerState> st) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  const std::string peer = stream.socket().remote_endpoint().address().to_string();
  st->sessions_per_ip[peer] += 1;  // expect: errorshield-unlocked-shared-map

  std::map<std::string, int> per_route;  // OK: lives in this coroutine frame only
  for (;;) {
    http::request<http::string_body> req;
    beast::error_code ec;
    stream.expires_after(std::chrono::seconds(30));
    co_await http::async_read(stream, buf, req, net::redirect_error(net::use_awaitable, ec));
    if (ec) break;
    ++per_route[std::string(req.target())];
    auto res = route(req, peer, tally, *st);
    co_await http::async_write(stream, res, net::redirect_error(net::use_awaitable, ec));
    if (ec || !req.keep_alive()) break;
  }

  std::lock_guard lk(st->mu);
  if (--st->sessions_per_ip[peer] <= 0) st->sessions_per_ip.erase(peer);  // OK: under st->mu
}

net::awaitable<void> listen(tcp::acceptor& acc, Tally& tally, std::shared_ptr<ServerState> st) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    net::co_spawn(acc.get_executor(), serve_booth(std::move(s), tally, st), net::detached);
  }
}

void run_tally_server(unsigned short port, unsigned workers) {
  net::io_context ioc;
  net::thread_pool audit_pool(2);
  Tally tally(ioc, audit_pool);
  auto st = std::make_shared<ServerState>();
  tcp::acceptor acc(ioc, tcp::endpoint(tcp::v4(), port));
  net::co_spawn(ioc, listen(acc, tally, st), net::detached);

  std::vector<std::thread> pool;
  for (unsigned i = 0; i < workers; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : pool) t.join();
  audit_pool.join();
}
