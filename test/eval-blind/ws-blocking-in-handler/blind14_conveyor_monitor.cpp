// checks: errorshield-ws-blocking-in-handler
// Mining conveyor monitoring: streams belt telemetry to control-room WebSocket clients,
// accepts alarm acknowledgements and emergency stops, talks to the belt PLC gateway.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct BeltConfig {
  std::string belt_id;
  double nominal_speed_mps = 4.5;
  std::string plc_host;
  unsigned short plc_port = 502;
  std::string shift_log_path = "/var/log/conveyor/shift.log";
};

// Startup: read belt definitions before the io_context starts running.
std::vector<BeltConfig> load_belt_config(std::string const &path) {
  std::ifstream in(path); // OK: called from main before ioc.run()
  json doc = json::parse(in, nullptr, false);
  std::vector<BeltConfig> out;
  if (doc.is_discarded())
    return out;
  for (auto const &b : doc["belts"]) {
    BeltConfig c;
    c.belt_id = b.value("id", "");
    c.nominal_speed_mps = b.value("nominal_speed", 4.5);
    c.plc_host = b.value("plc_host", "10.20.0.5");
    out.push_back(c);
  }
  return out;
}

// Appends a line to the shift log (synchronous file I/O).
void append_shift_log(std::string const &path, std::string const &line) {
  std::ofstream(path, std::ios::app) << line << '\n';
}

// Shared state for the site.
struct Site {
  net::io_context &ioc;
  net::thread_pool blocking_pool{2};
  sqlite3 *db = nullptr;
  tcp::socket plc;
  BeltConfig cfg;
  std::atomic<bool> running{true};

  Site(net::io_context &io, BeltConfig c) : ioc(io), plc(io), cfg(std::move(c)) {}
};

class ControlRoomSession : public std::enable_shared_from_this<ControlRoomSession> {
public:
  ControlRoomSession(tcp::socket s, Site &site) : ws_(std::move(s)), site_(site) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

  void push_telemetry(std::string msg) {
    auto self = shared_from_this();
    net::post(ws_.get_executor(), [self, msg = std::move(msg)]() mutable {
      self->queue_.push_back(std::move(msg));
      if (self->queue_.size() == 1)
        self->write_next();
    });
  }

private:
  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->on_command(beast::buffers_to_string(self->buf_.data()));
      self->buf_.consume(self->buf_.size());
      self->do_read();
    });
  }

  void on_command(std::string const &text) {
    json cmd = json::parse(text, nullptr, false);
    if (cmd.is_discarded())
      return;
    auto const op = cmd.value("op", "");
    if (op == "estop") {
      std::string frame = "STOP " + site_.cfg.belt_id + "\r\n";
      net::write(site_.plc, net::buffer(frame)); // expect: errorshield-ws-blocking-in-handler
      append_shift_log(site_.cfg.shift_log_path, "ESTOP by " + cmd.value("operator", "?")); // expect: errorshield-ws-blocking-in-handler
    } else if (op == "ack") {
      std::ostringstream sql;
      sql << "UPDATE alarms SET acked=1 WHERE id=" << cmd.value("alarm_id", 0);
      sqlite3_exec(site_.db, sql.str().c_str(), nullptr, nullptr, nullptr); // expect: errorshield-ws-blocking-in-handler
    } else if (op == "note") {
      // operator notes go to the DB on the blocking pool
      auto stmt = std::make_shared<std::string>("INSERT INTO notes(text) VALUES('" +
                                                cmd.value("text", "") + "')");
      net::post(site_.blocking_pool, [db = site_.db, stmt] {
        sqlite3_exec(db, stmt->c_str(), nullptr, nullptr, nullptr); // OK: runs on blocking_pool
      });
    } else if (op == "speed") {
      double target = cmd.value("mps", site_.cfg.nominal_speed_mps);
      std::ostringstream frame; // OK: in-memory formatting only
      frame << "SPD " << site_.cfg.belt_id << ' ' << target << "\r\n";
      auto out = std::make_shared<std::string>(frame.str());
      net::async_write(site_.plc, net::buffer(*out), [out](beast::error_code, std::size_t) {});
    }
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec)
                        return;
                      self->queue_.erase(self->queue_.begin());
                      if (!self->queue_.empty())
                        self->write_next();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::vector<std::string> queue_;
  Site &site_;
};

// Polls the PLC gateway for belt speed / motor current on a timer.
class PlcPoller : public std::enable_shared_from_this<PlcPoller> {
public:
  PlcPoller(Site &site, std::vector<std::weak_ptr<ControlRoomSession>> &clients)
      : site_(site), timer_(site.ioc), clients_(clients) {}

  void start() { schedule(0ms); }

private:
  void schedule(std::chrono::milliseconds delay) {
    timer_.expires_after(delay);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->poll();
    });
  }

  void poll() {
    std::string const q = "READ " + site_.cfg.belt_id + "\r\n";
    net::async_write(site_.plc, net::buffer(q), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        ++self->failures_;
        if (self->failures_ > 3) {
          std::this_thread::sleep_for(500ms); // expect: errorshield-ws-blocking-in-handler
          self->reconnect();
        }
        self->schedule(250ms);
        return;
      }
      self->failures_ = 0;
      net::async_read_until(self->site_.plc, self->rx_, "\r\n",
                            [self](beast::error_code ec2, std::size_t) {
                              if (ec2) {
                                self->schedule(1s); // OK: async back-off
                                return;
                              }
                              self->publish();
                              self->schedule(250ms);
                            });
    });
  }

  void reconnect() {
    beast::error_code ec;
    site_.plc.close(ec);
    tcp::resolver r(site_.ioc);
    auto eps = r.resolve(site_.cfg.plc_host, std::to_string(site_.cfg.plc_port), ec); // expect: errorshield-ws-blocking-in-handler
    if (!ec)
      net::async_connect(site_.plc, eps, [](beast::error_code, tcp::endpoint const &) {});
  }

  void publish() {
    std::istream is(&rx_);
    std::string line;
    std::getline(is, line);
    json j{{"belt", site_.cfg.belt_id}, {"raw", line},
           {"ts", std::chrono::system_clock::now().time_since_epoch().count()}};
    for (auto &w : clients_)
      if (auto c = w.lock())
        c->push_telemetry(j.dump());
  }

  Site &site_;
  net::steady_timer timer_;
  net::streambuf rx_;
  std::vector<std::weak_ptr<ControlRoomSession>> &clients_;
  int failures_ = 0;
};

// Historian: a dedicated thread, deliberately off the io_context.
void run_historian(Site &site) {
  while (site.running.load()) {
    std::this_thread::sleep_for(60s); // OK: own thread, not an io_context handler
    append_shift_log(site.cfg.shift_log_path, "heartbeat " + site.cfg.belt_id);
  }
}

int start_site(std::string const &cfg_path) {
  auto belts = load_belt_config(cfg_path);
  if (belts.empty())
    return 1;
  net::io_context ioc;
  Site site(ioc, belts.front());
  sqlite3_open("/var/lib/conveyor/alarms.db", &site.db); // OK: before ioc.run()
  std::vector<std::weak_ptr<ControlRoomSession>> clients;
  std::make_shared<PlcPoller>(site, clients)->start();
  std::thread historian([&site] { run_historian(site); });
  ioc.run();
  site.running = false;
  historian.join();
  site.blocking_pool.join();
  sqlite3_close(site.db);
  return 0;
}
