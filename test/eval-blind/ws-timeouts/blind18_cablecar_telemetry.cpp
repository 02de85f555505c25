// checks: errorshield-ws-timeouts
// Ropeway telemetry hub: cabins report grip force and position over LTE,
// towers report sheave bearing temperatures, wind masts report gusts, and the
// control room dashboard plus the maintenance console subscribe to it all.

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace ropeway {

struct HubConfig {
  int cabin_handshake_s = 10;
  int cabin_idle_s = 45;
  int wind_silence_s = 20;
  std::size_t max_frame = 64 * 1024;

  static HubConfig load(const std::string& path) {
    HubConfig c;
    std::ifstream in(path);
    if (!in) return c;
    auto j = json::parse(in, nullptr, false);
    if (j.is_discarded()) return c;
    c.cabin_handshake_s = j.value("cabin_handshake_s", c.cabin_handshake_s);
    c.cabin_idle_s = j.value("cabin_idle_s", c.cabin_idle_s);
    c.wind_silence_s = j.value("wind_silence_s", c.wind_silence_s);
    c.max_frame = j.value("max_frame", c.max_frame);
    return c;
  }
};

// Cabin door contact: the PLC reports "timeout" when the door has not
// confirmed closed within the station dwell window.
struct DoorEvent {
  int cabin = 0;
  bool closed = false;
  bool timeout = false;
};

class Fanout {
public:
  using Sink = std::function<void(std::shared_ptr<const std::string>)>;

  void add(Sink s) {
    std::lock_guard lk(mu_);
    sinks_.push_back(std::move(s));
  }

  void publish(const json& j) {
    auto frame = std::make_shared<const std::string>(j.dump());
    std::vector<Sink> copy;
    {
      std::lock_guard lk(mu_);
      copy = sinks_;
    }
    for (auto& s : copy) s(frame);
  }

private:
  std::mutex mu_;
  std::vector<Sink> sinks_;
};

template <class Stream>
void apply_station_policy(websocket::stream<Stream>& ws, std::size_t max_frame) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(max_frame);
}

// Cabins: one per gondola, reconnect after every tunnel section.
class CabinSession : public std::enable_shared_from_this<CabinSession> {
public:
  CabinSession(tcp::socket&& s, const HubConfig& cfg, Fanout& out) : ws_(std::move(s)), cfg_(cfg), out_(out) {}

  void run() {
    websocket::stream_base::timeout opt{};
    opt.handshake_timeout = std::chrono::seconds(cfg_.cabin_handshake_s);
    opt.idle_timeout = std::chrono::seconds(cfg_.cabin_idle_s);
    opt.keep_alive_pings = true;
    ws_.set_option(opt);
    ws_.read_message_max(cfg_.max_frame);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) { if (!ec) self->read(); });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (j.is_object()) {
        if (j.contains("door")) {
          DoorEvent d{j.value("cabin", 0), j["door"].value("closed", false), j["door"].value("timeout", false)};
          if (d.timeout) self->out_.publish({{"alarm", "door"}, {"cabin", d.cabin}});
        }
        self->out_.publish(j);
      }
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  const HubConfig& cfg_;
  Fanout& out_;
  beast::flat_buffer buf_;
};

// Towers: permanent wired links along the line.
class TowerSession : public std::enable_shared_from_this<TowerSession> {
public:
  TowerSession(tcp::socket&& s, const HubConfig& cfg, Fanout& out) : ws_(std::move(s)), out_(out) {
    apply_station_policy(ws_, cfg.max_frame);
  }

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) { if (!ec) self->read(); });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->out_.publish(json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false));
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  Fanout& out_;
  beast::flat_buffer buf_;
};

// Wind masts send a gust sample every second; silence means the mast is down
// and the line has to drop to reduced speed, so we watch it ourselves.
class WindMastSession : public std::enable_shared_from_this<WindMastSession> {
public:
  WindMastSession(tcp::socket&& s, const HubConfig& cfg, Fanout& out)
      : ws_(std::move(s)), silence_(ws_.get_executor()), cfg_(cfg), out_(out) {}

  void run() {
    ws_.read_message_max(cfg_.max_frame);
    rearm();
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        self->silence_.cancel();
        return;
      }
      self->rearm();
      self->read();
    });
  }

private:
  void rearm() {
    silence_.expires_after(std::chrono::seconds(cfg_.wind_silence_s));
    silence_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec == net::error::operation_aborted) return;
      self->out_.publish({{"alarm", "wind-mast-silent"}});
      beast::get_lowest_layer(self->ws_).close();
    });
  }

  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->silence_.cancel();
        return;
      }
      self->rearm();
      self->out_.publish(json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false));
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer silence_;
  const HubConfig& cfg_;
  Fanout& out_;
  beast::flat_buffer buf_;
};

// Control room dashboard: mostly listens, sends acknowledgements for alarms.
class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
public:
  DashboardSession(tcp::socket&& s, Fanout& out) : ws_(std::move(s)), out_(out) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.text(true);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      std::weak_ptr<DashboardSession> weak = self;
      self->out_.add([weak](std::shared_ptr<const std::string> f) {
        if (auto s = weak.lock()) net::post(s->ws_.get_executor(), [s, f] { s->send(f); });
      });
      self->read_acks();
    });
  }

private:
  void send(std::shared_ptr<const std::string> f) {
    q_.push_back(std::move(f));
    if (q_.size() > 1) return;
    write();
  }

  void write() {
    ws_.async_write(net::buffer(*q_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->q_.pop_front();
      if (!self->q_.empty()) self->write();
    });
  }

  void read_acks() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      self->read_acks();
    });
  }

  websocket::stream<beast::tcp_stream> ws_; // expect: errorshield-ws-timeouts
  Fanout& out_;
  beast::flat_buffer buf_;
  std::deque<std::shared_ptr<const std::string>> q_;
};

// Maintenance console over TLS from the valley station workshop.
class MaintenanceConsole : public std::enable_shared_from_this<MaintenanceConsole> {
public:
  MaintenanceConsole(tcp::socket&& s, ssl::context& tls, Fanout& out) : ws_(std::move(s), tls), out_(out) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_after(30s);
    ws_.next_layer().async_handshake(ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      beast::get_lowest_layer(self->ws_).expires_never();
      self->ws_.async_accept([self](beast::error_code ec) { if (!ec) self->read(); });
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto cmd = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (cmd.is_object() && cmd.value("op", "") == "speed") self->out_.publish({{"speed_limit", cmd.value("mps", 0.0)}});
      self->read();
    });
  }

  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_; // expect: errorshield-ws-timeouts
  Fanout& out_;
  beast::flat_buffer buf_;
};

// Historic runs for the insurer's replay tool, on a separate port.
void serve_replay(tcp::acceptor& acc, const std::string& log_path) {
  acc.async_accept([&acc, log_path](beast::error_code ec, tcp::socket sock) {
    if (!ec) {
      auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(sock)); // expect: errorshield-ws-timeouts
      ws->async_accept([ws, log_path](beast::error_code ec) {
        if (ec) return;
        auto lines = std::make_shared<std::vector<std::string>>();
        std::ifstream in(log_path);
        for (std::string l; std::getline(in, l);) lines->push_back(std::move(l));
        auto body = std::make_shared<std::string>(json(*lines).dump());
        ws->async_write(net::buffer(*body), [ws, body](beast::error_code, std::size_t) {
          auto b = std::make_shared<beast::flat_buffer>();
          ws->async_read(*b, [ws, b](beast::error_code, std::size_t) {});
        });
      });
    }
    serve_replay(acc, log_path);
  });
}

// Plain HTTP health probe for the SCADA poller.
void serve_health(tcp::socket sock) {
  auto stream = std::make_shared<beast::tcp_stream>(std::move(sock));
  auto buf = std::make_shared<beast::flat_buffer>();
  auto req = std::make_shared<http::request<http::empty_body>>();
  stream->expires_after(5s);
  http::async_read(*stream, *buf, *req, [stream, buf, req](beast::error_code ec, std::size_t) {
    if (ec) return;
    auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req->version());
    res->body() = R"({"status":"up"})";
    res->prepare_payload();
    http::async_write(*stream, *res, [stream, res](beast::error_code, std::size_t) {});
  });
}

} // namespace ropeway
