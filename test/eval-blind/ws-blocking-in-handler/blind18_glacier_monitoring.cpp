// checks: errorshield-ws-blocking-in-handler
// Glacier field network ingest. Remote stations (ablation stakes, GNSS
// displacement, proglacial discharge) upload readings over a satellite link
// as WebSocket JSON messages. The ingest node archives them, relays them to
// the institute's legacy telemetry collector and raises outburst-flood alerts.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct Thresholds {
  double discharge_alert_m3s = 45.0;
  double displacement_alert_mm_day = 120.0;
  int reload_minutes = 10;
};

static Thresholds thresholds_from(const json& j) {
  Thresholds t;
  t.discharge_alert_m3s = j.value("discharge_alert_m3s", t.discharge_alert_m3s);
  t.displacement_alert_mm_day = j.value("displacement_alert_mm_day", t.displacement_alert_mm_day);
  t.reload_minutes = j.value("reload_minutes", t.reload_minutes);
  return t;
}

static double read_stake_depth(const json& reading) {
  return reading.value("stake_cm", 0.0) / 100.0;
}

// Legacy collector wants newline-terminated frames on a plain TCP socket.
template <class SyncWriteStream>
void relay_to(SyncWriteStream& s, const std::string& line) {
  net::write(s, net::buffer(line + "\n"));
}

// Archive writer: a single thread owns the append-only file.
class ArchiveWriter {
public:
  explicit ArchiveWriter(const std::string& path)
      : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644)) {
    worker_ = std::thread([this] { drain(); });
  }
  ~ArchiveWriter() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
    ::close(fd_);
  }

  void enqueue(std::string line) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      pending_.push_back(std::move(line));
    }
    cv_.notify_one();
  }

  // Blocks until everything queued so far is on disk.
  void wait_drained() {
    std::unique_lock<std::mutex> lk(mu_);
    drained_cv_.wait(lk, [this] { return pending_.empty() && !writing_; });
  }

  int fd() const { return fd_; }

private:
  void drain() {
    std::unique_lock<std::mutex> lk(mu_);
    while (!stop_ || !pending_.empty()) {
      cv_.wait(lk, [this] { return stop_ || !pending_.empty(); });
      writing_ = true;
      while (!pending_.empty()) {
        std::string line = std::move(pending_.front());
        pending_.pop_front();
        lk.unlock();
        ::write(fd_, line.data(), line.size());
        lk.lock();
      }
      lk.unlock();
      ::fsync(fd_);
      lk.lock();
      writing_ = false;
      drained_cv_.notify_all();
    }
  }

  int fd_;
  std::mutex mu_;
  std::condition_variable cv_, drained_cv_;
  std::deque<std::string> pending_;
  bool stop_ = false;
  bool writing_ = false;
  std::thread worker_;
};

class StationSession : public std::enable_shared_from_this<StationSession> {
public:
  StationSession(tcp::socket sock, ArchiveWriter* archive, tcp::socket* collector,
                 std::string config_path, Thresholds initial)
      : ws_(std::move(sock)),
        reload_(ws_.get_executor()),
        archive_(archive),
        collector_(collector),
        config_path_(std::move(config_path)),
        limits_(initial) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(256 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      self->schedule_reload();
      self->do_read();
    });
  }

private:
  void schedule_reload() {
    reload_.expires_after(std::chrono::minutes(limits_.reload_minutes));
    reload_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      auto cfg = json::parse(std::ifstream(self->config_path_), nullptr, false); // expect: errorshield-ws-blocking-in-handler
      if (!cfg.is_discarded())
        self->limits_ = thresholds_from(cfg);
      self->schedule_reload();
    });
  }

  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&StationSession::on_reading, shared_from_this()));
  }

  void on_reading(beast::error_code ec, std::size_t bytes) {
    if (ec)
      return;
    auto reading = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(bytes);
    if (reading.is_discarded()) {
      do_read();
      return;
    }

    station_ = reading.value("station", station_);
    reading["received_at"] = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    const std::string line = reading.dump();

    archive_->enqueue(line);

    if (reading.value("kind", "") == "stake") {
      double depth = read_stake_depth(reading);
      reply({{"ack", reading.value("seq", 0)}, {"stake_m", depth}});
    } else if (reading.value("kind", "") == "discharge") {
      relay_to(*collector_, line); // expect: errorshield-ws-blocking-in-handler
      if (reading.value("m3s", 0.0) > limits_.discharge_alert_m3s)
        reply({{"alert", "discharge"}, {"station", station_}});
    } else if (reading.value("kind", "") == "gnss") {
      auto out = std::make_shared<std::string>(line + "\n");
      net::async_write(*collector_, net::buffer(*out),
                       [out](beast::error_code, std::size_t) {});
      if (reading.value("mm_day", 0.0) > limits_.displacement_alert_mm_day)
        reply({{"alert", "displacement"}, {"station", station_}});
    } else if (reading.value("kind", "") == "calving") {
      // Calving evidence must be durable before the station deletes its copy.
      archive_->wait_drained(); // expect: errorshield-ws-blocking-in-handler
      reply({{"ack", reading.value("seq", 0)}, {"durable", true}});
    } else if (reading.value("kind", "") == "season_end") {
      ::fsync(archive_->fd()); // expect: errorshield-ws-blocking-in-handler
      reply({{"ack", reading.value("seq", 0)}, {"season", "closed"}});
    }

    do_read();
  }

  void reply(const json& j) {
    bool idle = outq_.empty();
    outq_.push_back(j.dump());
    if (idle)
      flush();
  }

  void flush() {
    ws_.async_write(net::buffer(outq_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec)
                        return;
                      self->outq_.pop_front();
                      if (!self->outq_.empty())
                        self->flush();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  net::steady_timer reload_;
  std::deque<std::string> outq_;
  ArchiveWriter* archive_;
  tcp::socket* collector_;
  std::string config_path_;
  Thresholds limits_;
  std::string station_ = "unknown";
};

// Forecast pull from the hydrology service, fully asynchronous.
class ForecastClient : public std::enable_shared_from_this<ForecastClient> {
public:
  ForecastClient(net::io_context& ioc, std::string host) : resolver_(ioc), stream_(ioc), host_(std::move(host)) {}

  void fetch(std::function<void(json)> done) {
    done_ = std::move(done);
    req_ = {http::verb::get, "/api/v2/melt-forecast?basin=upper", 11};
    req_.set(http::field::host, host_);
    resolver_.async_resolve(host_, "80", [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
      if (ec)
        return;
      self->stream_.expires_after(15s);
      self->stream_.async_connect(r, [self](beast::error_code ec2, tcp::endpoint) {
        if (ec2)
          return;
        http::async_write(self->stream_, self->req_, [self](beast::error_code ec3, std::size_t) {
          if (ec3)
            return;
          http::async_read(self->stream_, self->rbuf_, self->res_, [self](beast::error_code ec4, std::size_t) {
            if (!ec4)
              self->done_(json::parse(self->res_.body(), nullptr, false));
          });
        });
      });
    });
  }

private:
  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  std::string host_;
  http::request<http::empty_body> req_;
  http::response<http::string_body> res_;
  beast::flat_buffer rbuf_;
  std::function<void(json)> done_;
};

// Called from main() before the io_context threads start: replay readings
// that were spooled to disk while the collector link was down.
void flush_spool_to_collector(tcp::socket& collector, const std::string& spool_path) {
  std::ifstream spool(spool_path);
  std::string line;
  while (std::getline(spool, line))
    relay_to(collector, line);
  std::remove(spool_path.c_str());
}

Thresholds load_thresholds(const std::string& path) {
  std::ifstream in(path);
  auto j = json::parse(in, nullptr, false);
  return j.is_discarded() ? Thresholds{} : thresholds_from(j);
}

void accept_stations(tcp::acceptor& acceptor, ArchiveWriter* archive, tcp::socket* collector,
                     const std::string& cfg, const Thresholds& initial) {
  acceptor.async_accept([&acceptor, archive, collector, cfg, initial](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<StationSession>(std::move(s), archive, collector, cfg, initial)->run();
    accept_stations(acceptor, archive, collector, cfg, initial);
  });
}
