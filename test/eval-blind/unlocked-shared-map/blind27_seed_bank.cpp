// checks: errorshield-unlocked-shared-map
// Seed bank inventory service: field stations deposit and withdraw seed lots
// over HTTP; a germination monitor streams viability updates in the background.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace seedbank {

struct SeedLot {
  std::string species;
  int grams = 0;
  double viability = 1.0;
};

// Lot id -> viability percentage, fed by the germination chambers.
std::unordered_map<std::string, int> g_viability;
std::mutex g_viability_mu;

// Stations that currently have an open session.
std::set<std::string> g_active_stations;

class Inventory {
public:
  void deposit(const std::string &lot_id, SeedLot lot) {
    std::lock_guard<std::mutex> lk(mu_);
    lots_[lot_id] = std::move(lot);
  }

  void withdraw(const std::string &lot_id) {
    lots_.erase(lot_id); // expect: errorshield-unlocked-shared-map
  }

  std::size_t size() const {
    std::lock_guard<std::mutex> lk(mu_);
    return lots_.size();
  }

  void relabel(const std::string &from, const std::string &to) {
    std::scoped_lock lk(mu_);
    auto node = lots_.extract(from);
    if (!node.empty()) {
      node.key() = to;
      lots_.insert(std::move(node));
    }
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, SeedLot> lots_;
};

// Species catalogue is read far more often than written.
class Catalogue {
public:
  void add(const std::string &species, const std::string &family) {
    std::unique_lock lk(mu_);
    family_of_[species] = family;
  }

  std::string family(const std::string &species) const {
    std::shared_lock lk(mu_);
    auto it = family_of_.find(species);
    return it == family_of_.end() ? std::string{} : it->second;
  }

  void forget(const std::string &species) {
    std::shared_lock lk(mu_);
    family_of_.erase(species); // expect: errorshield-unlocked-shared-map
  }

private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::string> family_of_;
};

// Per-station counters kept in a registry that any handler may touch.
template <class Key, class Value> class Registry {
public:
  void put(const Key &k, const Value &v) {
    std::lock_guard<std::mutex> lk(mu_);
    items_[k] = v;
  }
  void bump(const Key &k) {
    ++items_[k]; // expect: errorshield-unlocked-shared-map
  }

private:
  std::mutex mu_;
  std::map<Key, Value> items_;
};

Registry<std::string, int> g_station_requests;

void record_viability(const std::string &lot_id, int pct) {
  std::lock_guard<std::mutex> lk(g_viability_mu);
  g_viability[lot_id] = pct;
}

// Background chambers push readings from their own threads.
void start_chamber_threads(std::vector<std::thread> &threads) {
  for (int chamber = 0; chamber < 4; ++chamber) {
    threads.emplace_back([chamber] {
      for (int i = 0; i < 100; ++i) {
        std::string lot = "C" + std::to_string(chamber) + "-" + std::to_string(i);
        g_viability.emplace(lot, 90 - i % 10); // expect: errorshield-unlocked-shared-map
        record_viability(lot, 85);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
  }
}

// Builds the JSON report; the map here is a local snapshot.
json build_report(const Inventory &inv) {
  std::map<std::string, int> summary;
  summary["lots"] = static_cast<int>(inv.size());
  {
    std::lock_guard<std::mutex> lk(g_viability_mu);
    summary["readings"] = static_cast<int>(g_viability.size());
  }
  json j = summary;
  return j;
}

class StationSession : public std::enable_shared_from_this<StationSession> {
public:
  StationSession(tcp::socket sock, Inventory &inv, Catalogue &cat)
      : stream_(std::move(sock)), inv_(inv), cat_(cat) {}

  void start() { do_read(); }

private:
  void do_read() {
    req_ = {};
    http::async_read(stream_, buf_, req_,
                     beast::bind_front_handler(&StationSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return close();
    station_ = std::string(req_[http::field::from]);
    g_active_stations.insert(station_); // expect: errorshield-unlocked-shared-map
    g_station_requests.bump(station_);

    json body = json::parse(req_.body(), nullptr, false);
    if (!body.is_discarded() && body.contains("lot")) {
      std::string lot = body["lot"].get<std::string>();
      if (req_.method() == http::verb::delete_) {
        inv_.withdraw(lot);
        cat_.forget(body.value("species", ""));
      } else {
        inv_.deposit(lot, SeedLot{body.value("species", ""), body.value("grams", 0), 1.0});
        cat_.add(body.value("species", ""), body.value("family", ""));
      }
    }
    res_ = {http::status::ok, req_.version()};
    res_.body() = build_report(inv_).dump();
    res_.prepare_payload();
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&StationSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec)
      return close();
    do_read();
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  std::string station_;
  Inventory &inv_;
  Catalogue &cat_;
};

net::awaitable<void> accept_loop(tcp::acceptor acceptor, Inventory &inv, Catalogue &cat) {
  for (;;) {
    tcp::socket sock = co_await acceptor.async_accept(net::use_awaitable);
    std::make_shared<StationSession>(std::move(sock), inv, cat)->start();
  }
}

} // namespace seedbank

int main() {
  using namespace seedbank;
  net::io_context ioc;
  Inventory inv;
  Catalogue cat;
  g_station_requests.put("bootstrap", 0);

  std::vector<std::thread> chambers;
  start_chamber_threads(chambers);

  net::co_spawn(ioc, accept_loop(tcp::acceptor(ioc, {tcp::v4(), 8095}), inv, cat), net::detached);

  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i)
    pool.emplace_back([&ioc] { ioc.run(); });
  for (auto &t : pool)
    t.join();
  for (auto &t : chambers)
    t.join();
  return 0;
}
