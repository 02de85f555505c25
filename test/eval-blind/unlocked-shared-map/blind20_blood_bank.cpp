// checks: errorshield-unlocked-shared-map
// Blood bank inventory service: tracks units by bag barcode, reservations per
// patient, donor quarantine from the lab feed. Served on a thread pool.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
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
using namespace std::chrono_literals;

namespace bank {

struct Unit {
  std::string barcode;
  std::string abo;   // "A+", "O-", ...
  std::string component; // "RBC", "PLT", "FFP"
  std::chrono::system_clock::time_point expires;
};

// Donor ids flagged by the lab (positive screen); written by the lab poller
// thread, read by the HTTP handlers.
std::set<std::string> g_quarantined_donors;

void quarantine_donor(const std::string& donor_id) {
  g_quarantined_donors.insert(donor_id); // expect: errorshield-unlocked-shared-map
}

// Small TTL cache for crossmatch results.
template <class K, class V>
class TtlCache {
public:
  void put(const K& k, V v) {
    entries_.insert_or_assign(k, Entry{std::move(v), std::chrono::steady_clock::now() + 15min}); // expect: errorshield-unlocked-shared-map
  }
  bool get(const K& k, V& out) {
    std::shared_lock lk(mu_);
    auto it = entries_.find(k);
    if (it == entries_.end() || it->second.until < std::chrono::steady_clock::now()) return false;
    out = it->second.value;
    return true;
  }

private:
  struct Entry {
    V value;
    std::chrono::steady_clock::time_point until;
  };
  std::shared_mutex mu_;
  std::unordered_map<K, Entry> entries_;
};

class Inventory {
public:
  explicit Inventory(asio::io_context& ioc) : sweep_(ioc), audit_strand_(asio::make_strand(ioc)) {}

  void receive(Unit u) {
    std::lock_guard lk(mu_);
    units_.emplace(u.barcode, std::move(u));
  }

  bool discard(const std::string& barcode) {
    return units_.erase(barcode) > 0; // expect: errorshield-unlocked-shared-map
  }

  asio::awaitable<json> reserve(std::string patient, std::string abo) {
    json picked = json::array();
    {
      std::scoped_lock lk(mu_);
      for (auto& [code, u] : units_)
        if (u.abo == abo && picked.size() < 2) picked.push_back(code);
    }
    for (const auto& code : picked)
      reservations_[patient].push_back(code.get<std::string>()); // expect: errorshield-unlocked-shared-map
    co_return picked;
  }

  void start_expiry_sweep() {
    sweep_.expires_after(1min);
    sweep_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      auto now = std::chrono::system_clock::now();
      for (auto it = units_.begin(); it != units_.end();) {
        if (it->second.expires < now)
          it = units_.erase(it); // expect: errorshield-unlocked-shared-map
        else
          ++it;
      }
      start_expiry_sweep();
    });
  }

  // Audit trail entries are only ever touched on the audit strand.
  void audit(std::string barcode, std::string action) {
    asio::post(audit_strand_, [this, barcode = std::move(barcode), action = std::move(action)] {
      audit_log_[barcode].push_back(action);
    });
  }

  json snapshot() {
    std::lock_guard lk(mu_);
    json out = json::object();
    for (const auto& [code, u] : units_) out[code] = {{"abo", u.abo}, {"component", u.component}};
    return out;
  }

private:
  std::mutex mu_;
  std::unordered_map<std::string, Unit> units_;
  std::map<std::string, std::vector<std::string>> reservations_;
  asio::steady_timer sweep_;
  asio::strand<asio::io_context::executor_type> audit_strand_;
  std::map<std::string, std::vector<std::string>> audit_log_;
};

// Compatible donor groups for a recipient; built once at start-up and only
// read afterwards.
std::map<std::string, std::vector<std::string>> g_compat;

void load_compat_table() {
  g_compat["O-"] = {"O-"};
  g_compat["O+"] = {"O-", "O+"};
  g_compat["A+"] = {"O-", "O+", "A-", "A+"};
  g_compat["AB+"] = {"O-", "O+", "A-", "A+", "B-", "B+", "AB-", "AB+"};
}

TtlCache<std::string, bool> g_crossmatch;

http::response<http::string_body> handle(Inventory& inv, const http::request<http::string_body>& req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  std::string target(req.target());

  // Per-request scratch tally; never leaves this call.
  std::map<std::string, int> tally;
  for (const auto& [k, v] : inv.snapshot().items()) tally[v["abo"].get<std::string>()]++;

  if (req.method() == http::verb::delete_ && target.rfind("/units/", 0) == 0) {
    bool ok = inv.discard(target.substr(7));
    if (ok) inv.audit(target.substr(7), "discard");
    res.body() = json{{"discarded", ok}}.dump();
  } else if (req.method() == http::verb::post && target == "/crossmatch") {
    auto body = json::parse(req.body(), nullptr, false);
    g_crossmatch.put(body.value("sample", ""), body.value("compatible", false));
    res.body() = R"({"stored":true})";
  } else if (req.method() == http::verb::post && target.rfind("/quarantine/", 0) == 0) {
    quarantine_donor(target.substr(12));
    res.body() = R"({"quarantined":true})";
  } else {
    res.body() = json{{"by_group", tally}}.dump();
  }
  res.prepare_payload();
  return res;
}

asio::awaitable<void> session(tcp::socket sock, Inventory& inv) {
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(sock, buf, req, asio::use_awaitable);
    if (req.target() == "/reserve") {
      auto body = json::parse(req.body(), nullptr, false);
      json picked = co_await inv.reserve(body.value("patient", ""), body.value("abo", "O-"));
      http::response<http::string_body> res{http::status::ok, req.version()};
      res.body() = picked.dump();
      res.prepare_payload();
      co_await http::async_write(sock, res, asio::use_awaitable);
      continue;
    }
    auto res = handle(inv, req);
    co_await http::async_write(sock, res, asio::use_awaitable);
    if (!req.keep_alive()) break;
  }
}

asio::awaitable<void> listener(Inventory& inv) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, {tcp::v4(), 8443});
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    asio::co_spawn(ex, session(std::move(s), inv), asio::detached);
  }
}

// Lab results arrive on a dedicated poller thread.
void lab_poller(std::stop_token st) {
  thread_local std::unordered_map<std::string, int> seen_batches;
  while (!st.stop_requested()) {
    std::string batch = "B" + std::to_string(seen_batches.size());
    seen_batches[batch]++;
    quarantine_donor("D-" + batch);
    std::this_thread::sleep_for(30s);
  }
}

} // namespace bank

int main() {
  asio::io_context ioc;
  bank::load_compat_table();
  bank::Inventory inv(ioc);
  inv.start_expiry_sweep();
  asio::co_spawn(ioc, bank::listener(inv), asio::detached);

  std::jthread lab(bank::lab_poller);
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()); ++i)
    pool.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : pool) t.join();
  return 0;
}
