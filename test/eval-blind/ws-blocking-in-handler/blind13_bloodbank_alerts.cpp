// checks: errorshield-ws-blocking-in-handler
// Blood bank inventory alert service: hospital wards subscribe over WebSocket,
// dispense/receive events adjust stock, par-level and expiry alerts are pushed.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace bloodbank {

struct UnitStock {
  std::string product;  // RBC, PLT, FFP, CRYO
  std::string abo_rh;   // O-, O+, A-, ...
  int units = 0;
  int par_level = 0;
};

inline std::string stock_key(const std::string& product, const std::string& abo) {
  return product + "/" + abo;
}

// Append-only audit trail required by the accreditation body.
void append_audit_line(const std::string& path, const std::string& line) {
  std::ofstream out(path, std::ios::app);
  out << line << '\n';
  out.flush();
}

class InventoryStore {
 public:
  // Called once from main() before the io_context starts running.
  bool load_snapshot(const std::string& path) {
    std::ifstream in(path);
    if (!in) return false;
    json j = json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_array()) return false;
    std::lock_guard lk(mu_);
    for (const auto& row : j) {
      UnitStock s{row.value("product", ""), row.value("abo_rh", ""),
                  row.value("units", 0), row.value("par", 0)};
      stock_[stock_key(s.product, s.abo_rh)] = s;
    }
    return true;
  }

  std::optional<UnitStock> apply_delta(const std::string& product, const std::string& abo, int delta) {
    std::lock_guard lk(mu_);
    auto it = stock_.find(stock_key(product, abo));
    if (it == stock_.end()) return std::nullopt;
    it->second.units += delta;
    return it->second;
  }

  std::vector<UnitStock> below_par() const {
    std::lock_guard lk(mu_);
    std::vector<UnitStock> out;
    for (const auto& [k, s] : stock_)
      if (s.units < s.par_level) out.push_back(s);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, UnitStock> stock_;
};

class AlertSession : public std::enable_shared_from_this<AlertSession> {
 public:
  AlertSession(tcp::socket sock, InventoryStore& store, net::thread_pool& disk_pool,
               sqlite3* db, std::string audit_path)
      : ws_(std::move(sock)),
        expiry_timer_(ws_.get_executor()),
        retry_timer_(ws_.get_executor()),
        store_(store),
        disk_pool_(disk_pool),
        db_(db),
        audit_path_(std::move(audit_path)) {}

  void start() {
    ws_.async_accept(beast::bind_front_handler(&AlertSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    arm_expiry_sweep();
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&AlertSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == websocket::error::closed) return;
    if (ec) {
      if (ec == net::error::connection_reset && ++reset_count_ > 3) {
        std::this_thread::sleep_for(200ms);  // expect: errorshield-ws-blocking-in-handler
      }
      return;
    }
    json msg = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (msg.is_discarded()) return do_read();

    const std::string op = msg.value("op", "");
    const int qty = msg.value("qty", 0);
    const int delta = (op == "dispense") ? -qty : qty;
    auto updated = store_.apply_delta(msg.value("product", ""), msg.value("abo_rh", ""), delta);
    if (updated) {
      std::string line = op + " " + stock_key(updated->product, updated->abo_rh) + " " +
                         std::to_string(qty) + " by " + msg.value("ward", "?");
      if (msg.value("emergency_release", false)) {
        append_audit_line(audit_path_, line + " EMERGENCY");  // expect: errorshield-ws-blocking-in-handler
      } else {
        // OK: audit write handed to the disk pool
        net::post(disk_pool_, [path = audit_path_, line] { append_audit_line(path, line); });
      }
      if (updated->units < updated->par_level) queue_alert(*updated, "below_par");
    }
    do_read();
  }

  void queue_alert(const UnitStock& s, const std::string& kind) {
    json j{{"type", kind}, {"product", s.product}, {"abo_rh", s.abo_rh}, {"units", s.units},
           {"par", s.par_level}};
    outbox_.push_back(j.dump());
    if (outbox_.size() == 1) flush_outbox();
  }

  void flush_outbox() {
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return;
                      self->outbox_.pop_front();
                      if (!self->outbox_.empty()) self->flush_outbox();
                    });
  }

  static int collect_lots(void* ctx, int argc, char** argv, char**) {
    if (argc > 0 && argv[0]) static_cast<std::vector<std::string>*>(ctx)->push_back(argv[0]);
    return 0;
  }

  void arm_expiry_sweep() {
    expiry_timer_.expires_after(5min);
    expiry_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      for (const auto& s : self->store_.below_par()) self->queue_alert(s, "below_par");
      std::vector<std::string> lots;
      sqlite3_exec(self->db_, "SELECT lot FROM units WHERE expires_at < datetime('now','+24 hours')",  // expect: errorshield-ws-blocking-in-handler
                   &AlertSession::collect_lots, &lots, nullptr);
      self->publish_expiring(lots);
      self->arm_expiry_sweep();
    });
  }

  void publish_expiring(const std::vector<std::string>& lots) {
    if (lots.empty()) return;
    json j{{"type", "expiring_24h"}, {"lots", lots}};
    outbox_.push_back(j.dump());
    if (outbox_.size() == 1) flush_outbox();
  }

 public:
  // The dispatcher builds a "critical shortage" push once and runs it later
  // on the session's executor, after the ward acknowledges the page.
  void prepare_critical_push(std::string product, std::string abo) {
    critical_push_ = [self = shared_from_this(), product, abo] {
      json j{{"type", "critical_shortage"}, {"product", product}, {"abo_rh", abo}};
      std::string payload = j.dump();
      self->ws_.write(net::buffer(payload));  // expect: errorshield-ws-blocking-in-handler
    };
  }

  void fire_critical_push() {
    if (critical_push_) net::post(ws_.get_executor(), std::move(critical_push_));
  }

  // OK: same kind of push, but through the async outbox
  void post_shortage_notice(std::string product, std::string abo) {
    net::post(ws_.get_executor(), [self = shared_from_this(), product, abo] {
      UnitStock s{product, abo, 0, 0};
      self->queue_alert(s, "shortage_notice");
    });
  }

  // OK: timer-based backoff
  void schedule_resync(int attempt) {
    auto backoff = std::chrono::milliseconds(100 * (1 << std::min(attempt, 6)));
    retry_timer_.expires_after(backoff);
    retry_timer_.async_wait([self = shared_from_this(), attempt](beast::error_code ec) {
      if (ec) return;
      if (self->store_.below_par().size() > 10) self->schedule_resync(attempt + 1);
    });
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  net::steady_timer expiry_timer_;
  net::steady_timer retry_timer_;
  InventoryStore& store_;
  net::thread_pool& disk_pool_;
  sqlite3* db_;
  std::string audit_path_;
  std::deque<std::string> outbox_;
  std::function<void()> critical_push_;
  int reset_count_ = 0;
};

// OK: nightly reconciliation on its own thread, never on the io_context.
void reconciliation_loop(sqlite3* db, const std::string& audit_path, const std::atomic<bool>& stop) {
  while (!stop) {
    sqlite3_exec(db, "UPDATE units SET status='quarantine' WHERE expires_at < datetime('now')",
                 nullptr, nullptr, nullptr);
    append_audit_line(audit_path, "nightly reconciliation done");
    std::this_thread::sleep_for(1h);
  }
}

void do_accept(tcp::acceptor& acc, InventoryStore& store, net::thread_pool& pool, sqlite3* db,
               const std::string& audit_path) {
  acc.async_accept([&acc, &store, &pool, db, audit_path](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<AlertSession>(std::move(s), store, pool, db, audit_path)->start();
    do_accept(acc, store, pool, db, audit_path);
  });
}

int run_alert_server(unsigned short port, const std::string& snapshot, const std::string& db_path) {
  InventoryStore store;
  store.load_snapshot(snapshot);  // OK: before run()
  sqlite3* db = nullptr;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) return 1;
  sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);  // OK: startup

  net::io_context ioc{1};
  net::thread_pool disk_pool{2};
  tcp::acceptor acc{ioc, {tcp::v4(), port}};
  const std::string audit_path = "/var/log/bloodbank/audit.log";
  do_accept(acc, store, disk_pool, db, audit_path);

  std::atomic<bool> stop{false};
  std::thread reconciler([&] { reconciliation_loop(db, audit_path, stop); });
  ioc.run();
  stop = true;
  reconciler.join();
  disk_pool.join();
  sqlite3_close(db);
  return 0;
}

}  // namespace bloodbank
