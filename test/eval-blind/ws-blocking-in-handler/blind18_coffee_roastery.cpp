// checks: errorshield-ws-blocking-in-handler
// Roastery floor server: operators' tablets connect over WebSocket to follow a
// batch on drum roaster #2, load roast profiles and mark events (first crack,
// drop). Bean temperature comes from a thermocouple amplifier on a serial line.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct RoastProfile {
  std::string name;
  std::vector<std::pair<int, double>> setpoints; // seconds since charge, deg C

  void read(const json& j) {
    name = j.value("name", "unnamed");
    setpoints.clear();
    for (const auto& p : j.at("points"))
      setpoints.emplace_back(p.at(0).get<int>(), p.at(1).get<double>());
  }
};

static std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// MAX31855 bridge: one conversion per request, ~40 ms on the wire.
class ProbeDriver {
public:
  explicit ProbeDriver(int fd) : fd_(fd) {}
  double sample_bean_temp() {
    char raw[16] = {};
    ::write(fd_, "T\n", 2);
    ::read(fd_, raw, sizeof raw - 1);
    return std::atof(raw);
  }
  std::future<double> sample_async() {
    return std::async(std::launch::async, [this] { return sample_bean_temp(); });
  }
  int fd() const { return fd_; }

private:
  int fd_;
};

class RoastSession;

struct RoasteryHub {
  std::mutex mu;
  std::vector<std::shared_ptr<RoastSession>> watchers;

  std::vector<std::shared_ptr<RoastSession>> snapshot() {
    std::lock_guard<std::mutex> lk(mu);
    return watchers;
  }
};

class RoastSession : public std::enable_shared_from_this<RoastSession> {
public:
  RoastSession(tcp::socket sock, RoasteryHub* hub, ProbeDriver* probe,
               net::thread_pool& blocking_pool, std::string profiles_dir, RoastProfile house)
      : ws_(std::move(sock)),
        tick_(ws_.get_executor()),
        settle_(ws_.get_executor()),
        profile_(std::move(house)),
        hub_(hub),
        probe_(probe),
        blocking_pool_(blocking_pool),
        profiles_dir_(std::move(profiles_dir)) {}

  websocket::stream<beast::tcp_stream>& ws() { return ws_; }

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(beast::bind_front_handler(&RoastSession::on_accept, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;

    tick_handler_ = [this, weak = weak_from_this()](beast::error_code tec) {
      auto self = weak.lock();
      if (!self || tec)
        return;
      char raw[16] = {};
      ssize_t got = ::read(probe_->fd(), raw, sizeof raw - 1); // expect: errorshield-ws-blocking-in-handler
      if (got > 0)
        push_reading(std::atof(raw));
      tick_.expires_after(1s);
      tick_.async_wait(tick_handler_);
    };
    tick_.expires_after(1s);
    tick_.async_wait(tick_handler_);

    do_read();
  }

  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&RoastSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t n) {
    if (ec == websocket::error::closed)
      return;
    if (ec)
      return;

    auto msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(n);
    if (msg.is_discarded() || !msg.contains("cmd")) {
      do_read();
      return;
    }

    const auto cmd = msg["cmd"].get<std::string>();
    if (cmd == "load_profile") {
      auto text = read_whole_file(profiles_dir_ + "/" + msg.value("name", "") + ".json"); // expect: errorshield-ws-blocking-in-handler
      auto j = json::parse(text, nullptr, false);
      if (!j.is_discarded())
        profile_.read(j);
      send_json({{"event", "profile"}, {"name", profile_.name}});
    } else if (cmd == "inline_profile") {
      profile_.read(msg.at("profile"));
      send_json({{"event", "profile"}, {"name", profile_.name}});
    } else if (cmd == "drop") {
      // give the drum door actuator time to open before reporting
      std::this_thread::sleep_for(800ms); // expect: errorshield-ws-blocking-in-handler
      send_json({{"event", "dropped"}, {"batch", batch_}});
      ++batch_;
    } else if (cmd == "cool") {
      settle_.expires_after(90s);
      settle_.async_wait([self = shared_from_this()](beast::error_code wec) {
        if (!wec)
          self->send_json({{"event", "cooling_done"}, {"batch", self->batch_}});
      });
    } else if (cmd == "first_crack") {
      auto line = std::to_string(batch_) + ",first_crack," + std::to_string(last_temp_) + "\n";
      net::post(blocking_pool_, [line, dir = profiles_dir_] {
        std::ofstream log(dir + "/roast_log.csv", std::ios::app);
        log << line;
      });
      send_json({{"event", "first_crack"}, {"temp", last_temp_}});
    } else if (cmd == "calibrate") {
      if (msg.value("verify", false)) {
        double probe_now = probe_->sample_async().get(); // expect: errorshield-ws-blocking-in-handler
        send_json({{"event", "calibration"}, {"probe", probe_now}, {"ref", msg.value("ref", 0.0)}});
      } else if (!pending_sample_.valid()) {
        pending_sample_ = probe_->sample_async();
      }
    } else if (cmd == "poll_calibration") {
      if (pending_sample_.valid() && pending_sample_.wait_for(0s) == std::future_status::ready) {
        double v = pending_sample_.get();
        send_json({{"event", "calibration"}, {"probe", v}});
      }
    } else if (cmd == "alarm") {
      const std::string alert = json{{"event", "alarm"}, {"reason", msg.value("reason", "")}}.dump();
      for (auto& w : hub_->snapshot()) w->ws().write(net::buffer(alert)); // expect: errorshield-ws-blocking-in-handler
    }

    do_read();
  }

  void push_reading(double temp) {
    last_temp_ = temp;
    send_json({{"event", "bt"}, {"temp", temp}, {"batch", batch_}});
  }

  void send_json(const json& j) {
    outbox_.push_back(j.dump());
    if (outbox_.size() == 1)
      write_next();
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec)
                        return;
                      self->outbox_.erase(self->outbox_.begin());
                      if (!self->outbox_.empty())
                        self->write_next();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  net::steady_timer tick_;
  net::steady_timer settle_;
  std::function<void(beast::error_code)> tick_handler_;
  std::vector<std::string> outbox_;
  std::future<double> pending_sample_;
  RoastProfile profile_;
  RoasteryHub* hub_;
  ProbeDriver* probe_;
  net::thread_pool& blocking_pool_;
  std::string profiles_dir_;
  double last_temp_ = 0.0;
  int batch_ = 1;
};

// Roaster-side display panel speaks plain WebSocket on the shop LAN. It has its
// own thread so a slow panel never stalls the tablets.
class PanelPusher {
public:
  PanelPusher(std::string host, std::string port) : host_(std::move(host)), port_(std::move(port)) {}

  void start(ProbeDriver* probe) {
    worker_ = std::thread([this, probe] {
      net::io_context ioc;
      tcp::resolver resolver(ioc);
      websocket::stream<tcp::socket> panel(ioc);
      beast::error_code ec;
      auto results = resolver.resolve(host_, port_, ec);
      if (ec)
        return;
      net::connect(panel.next_layer(), results, ec);
      if (ec)
        return;
      panel.handshake(host_, "/panel", ec);
      while (!ec && running_) {
        double t = probe->sample_bean_temp();
        panel.write(net::buffer(json{{"bt", t}}.dump()), ec);
        std::this_thread::sleep_for(2s);
      }
    });
  }

  void stop() {
    running_ = false;
    if (worker_.joinable())
      worker_.join();
  }

private:
  std::string host_, port_;
  std::thread worker_;
  std::atomic<bool> running_{true};
};

// Bench tool: one raw reading straight from the amplifier.
double probe_once(const char* dev) {
  int fd = ::open(dev, O_RDWR | O_NOCTTY);
  if (fd < 0)
    return -1.0;
  ProbeDriver d(fd);
  std::this_thread::sleep_for(250ms); // amplifier warm-up
  double t = d.sample_bean_temp();
  ::close(fd);
  return t;
}

class RoasteryListener : public std::enable_shared_from_this<RoasteryListener> {
public:
  RoasteryListener(net::io_context& ioc, tcp::endpoint ep, RoasteryHub* hub, ProbeDriver* probe,
                   net::thread_pool& pool, std::string dir)
      : ioc_(ioc), acceptor_(ioc, ep), hub_(hub), probe_(probe), pool_(pool), dir_(std::move(dir)) {
    // House profile is read once at startup and handed to every session.
    auto j = json::parse(read_whole_file(dir_ + "/house_espresso.json"), nullptr, false);
    if (!j.is_discarded())
      house_.read(j);
  }

  void run() { accept(); }

private:
  void accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
                             if (!ec) {
                               auto sess = std::make_shared<RoastSession>(std::move(s), self->hub_,
                                                                          self->probe_, self->pool_,
                                                                          self->dir_, self->house_);
                               {
                                 std::lock_guard<std::mutex> lk(self->hub_->mu);
                                 self->hub_->watchers.push_back(sess);
                               }
                               sess->run();
                             }
                             self->accept();
                           });
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  RoasteryHub* hub_;
  ProbeDriver* probe_;
  net::thread_pool& pool_;
  std::string dir_;
  RoastProfile house_;
};
