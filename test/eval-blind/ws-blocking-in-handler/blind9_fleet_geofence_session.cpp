// checks: errorshield-ws-blocking-in-handler
// Fleet-tracking ingest hub: trucks push GPS fixes over WebSocket, the hub checks
// geofences, keeps a breadcrumb snapshot on disk and relays alerts upstream to the
// dispatch centre. One io_context, several threads.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct gps_fix {
  std::string vehicle_id;
  double lat = 0, lon = 0;
  std::int64_t ts_ms = 0;
};

// Blocking client for the legacy route planner. Meant for the batch exporter thread.
class route_planner_client {
public:
  explicit route_planner_client(std::string host) : host_(std::move(host)) {}

  std::string eta_for(const gps_fix& f) {
    asio::io_context local;
    tcp::resolver r(local);
    tcp::socket s(local);
    asio::connect(s, r.resolve(host_, "8088"));
    std::string req = "ETA " + f.vehicle_id + "\n";
    asio::write(s, asio::buffer(req));
    asio::streambuf sb;
    asio::read_until(s, sb, '\n');
    return {asio::buffers_begin(sb.data()), asio::buffers_end(sb.data())};
  }

private:
  std::string host_;
};

struct fleet_shared {
  std::mutex mu;
  std::unordered_map<std::string, gps_fix> last_fix;
  route_planner_client planner{"planner.internal"};
  asio::thread_pool disk_pool{2};
};

static bool inside_depot(const gps_fix& f) {
  return f.lat > 52.10 && f.lat < 52.12 && f.lon > 4.30 && f.lon < 4.33;
}

static void write_snapshot_file(const std::unordered_map<std::string, gps_fix>& snap) {
  std::ofstream out("/var/lib/fleet/snapshot.json.tmp", std::ios::trunc);
  for (auto& [id, f] : snap)
    out << json{{"id", id}, {"lat", f.lat}, {"lon", f.lon}, {"ts", f.ts_ms}}.dump() << '\n';
  out.flush();
}

class vehicle_session : public std::enable_shared_from_this<vehicle_session> {
public:
  vehicle_session(tcp::socket s, fleet_shared& shared)
      : ws_(std::move(s)), shared_(shared), snapshot_timer_(ws_.get_executor()) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&vehicle_session::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    arm_snapshot_timer();
    do_read();
  }

  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&vehicle_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    auto msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (msg.is_discarded() || msg.value("v", 0) != 2) {
      std::string err = R"({"error":"protocol version 2 required"})";
      ws_.write(asio::buffer(err)); // expect: errorshield-ws-blocking-in-handler
      return;
    }
    gps_fix fix{msg.value("id", ""), msg.value("lat", 0.0), msg.value("lon", 0.0),
                msg.value("ts", std::int64_t{0})};
    {
      std::lock_guard lk(shared_.mu); // short critical section, fine
      shared_.last_fix[fix.vehicle_id] = fix;
    }
    if (was_in_depot_ && !inside_depot(fix)) {
      // departure: dispatch wants an ETA with the alert
      std::string eta = shared_.planner.eta_for(fix); // expect: errorshield-ws-blocking-in-handler
      queue_ack(json{{"departed", fix.vehicle_id}, {"eta", eta}}.dump());
    } else {
      queue_ack(R"({"ok":true})");
    }
    was_in_depot_ = inside_depot(fix);
    maybe_collect_geocode();
    do_read();
  }

  // Reverse geocoding runs on the disk pool; we only pick the result up once it is ready.
  void maybe_collect_geocode() {
    if (!geocode_.valid()) {
      std::packaged_task<std::string()> task([] { return std::string("Rotterdam"); });
      geocode_ = task.get_future();
      asio::post(shared_.disk_pool, std::move(task));
      return;
    }
    if (geocode_.wait_for(0s) == std::future_status::ready)
      last_city_ = geocode_.get(); // already ready: does not block
  }

  void queue_ack(std::string s) {
    pending_.push_back(std::move(s));
    if (pending_.size() == 1) write_next();
  }

  void write_next() {
    ws_.async_write(asio::buffer(pending_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return;
                      self->pending_.erase(self->pending_.begin());
                      if (!self->pending_.empty()) self->write_next();
                    });
  }

  void arm_snapshot_timer() {
    snapshot_timer_.expires_after(30s);
    snapshot_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      std::unordered_map<std::string, gps_fix> copy;
      {
        std::lock_guard lk(self->shared_.mu);
        copy = self->shared_.last_fix;
      }
      if (copy.size() < 5000) {
        // small fleets: hand the disk work to the disk pool
        asio::post(self->shared_.disk_pool,
                   [copy = std::move(copy)] { write_snapshot_file(copy); });
      } else {
        write_snapshot_file(copy); // expect: errorshield-ws-blocking-in-handler
      }
      self->arm_snapshot_timer();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  fleet_shared& shared_;
  asio::steady_timer snapshot_timer_;
  beast::flat_buffer buf_;
  std::vector<std::string> pending_;
  std::future<std::string> geocode_;
  std::string last_city_;
  bool was_in_depot_ = true;
};

// Upstream relay to the dispatch centre: reconnects on failure.
class dispatch_uplink : public std::enable_shared_from_this<dispatch_uplink> {
public:
  explicit dispatch_uplink(asio::io_context& ioc)
      : ioc_(ioc), resolver_(ioc), sock_(ioc), retry_(ioc) {}

  void start() {
    resolver_.async_resolve("dispatch.internal", "9100",
                            [self = shared_from_this()](beast::error_code ec,
                                                        tcp::resolver::results_type rs) {
                              if (ec) return self->schedule_retry();
                              asio::async_connect(self->sock_, rs,
                                                  [self](beast::error_code ec2, const tcp::endpoint&) {
                                                    if (ec2) return self->on_connect_failed();
                                                    self->attempts_ = 0;
                                                  });
                            });
  }

private:
  // DNS failure: back off with a timer, io thread stays free.
  void schedule_retry() {
    retry_.expires_after(std::chrono::seconds(1 << std::min(attempts_++, 5)));
    retry_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->start();
    });
  }

  // TCP refused: rarely happens except during dispatch deploys.
  void on_connect_failed() {
    sock_ = tcp::socket(ioc_);
    std::this_thread::sleep_for(std::chrono::seconds(2)); // expect: errorshield-ws-blocking-in-handler
    start();
  }

  asio::io_context& ioc_;
  tcp::resolver resolver_;
  tcp::socket sock_;
  asio::steady_timer retry_;
  int attempts_ = 0;
};

int main() {
  asio::io_context ioc;
  fleet_shared shared;

  // Startup: synchronous resolve/bind before the io_context runs is fine.
  tcp::resolver r(ioc);
  auto ep = r.resolve("0.0.0.0", "9443")->endpoint();
  tcp::acceptor acc(ioc, ep);

  std::make_shared<dispatch_uplink>(ioc)->start();

  std::function<void()> do_accept = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<vehicle_session>(std::move(s), shared)->run();
      do_accept();
    });
  };
  do_accept();

  // Batch exporter runs on its own thread, so blocking calls are expected here.
  std::atomic<bool> stop{false};
  std::thread exporter([&] {
    while (!stop) {
      std::vector<gps_fix> fixes;
      {
        std::lock_guard lk(shared.mu);
        for (auto& [id, f] : shared.last_fix) fixes.push_back(f);
      }
      for (auto& f : fixes) shared.planner.eta_for(f);
      std::this_thread::sleep_for(30s);
    }
  });

  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i) pool.emplace_back([&] { ioc.run(); });
  for (auto& t : pool) t.join();
  stop = true;
  exporter.join();
}
