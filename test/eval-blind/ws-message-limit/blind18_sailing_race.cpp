// checks: errorshield-ws-message-limit
// Regatta tracking hub. GPS trackers on each boat push position fixes (over
// harbour Wi-Fi or LTE with TLS), the race committee boat sends start sequences
// and course changes, the jury receives protest evidence, and spectators watch
// the live leaderboard. Mark boats relay wind readings; the committee boat's
// NMEA instruments come in on a plain TCP line feed.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace regatta {

struct race_config {
  std::size_t max_fix_bytes = 2048;
  std::size_t max_wind_bytes = 1024;
  std::string course_file = "/etc/regatta/course.json";
};

inline race_config load_race_config(const std::string& path) {
  race_config cfg;
  std::ifstream in(path);
  if (!in) return cfg;
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded()) return cfg;
  cfg.max_fix_bytes = j.value("max_fix_bytes", cfg.max_fix_bytes);
  cfg.max_wind_bytes = j.value("max_wind_bytes", cfg.max_wind_bytes);
  cfg.course_file = j.value("course_file", cfg.course_file);
  return cfg;
}

struct position_fix {
  std::string sail_no;
  double lat = 0, lon = 0;
  double sog_kn = 0, cog_deg = 0;
  std::int64_t utc_ms = 0;
};

class race_state {
 public:
  void update(position_fix f) {
    std::lock_guard lk(mu_);
    fleet_[f.sail_no] = std::move(f);
  }
  void set_signal(std::string s) {
    std::lock_guard lk(mu_);
    signal_ = std::move(s);
  }
  json leaderboard() const {
    std::lock_guard lk(mu_);
    json out = json::array();
    for (const auto& [sail, f] : fleet_) out.push_back({{"sail", sail}, {"sog", f.sog_kn}, {"t", f.utc_ms}});
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, position_fix> fleet_;
  std::string signal_;
};

// Boat tracker uplink; plain TCP on the harbour Wi-Fi, TLS over LTE.
template <class NextLayer>
class boat_link : public std::enable_shared_from_this<boat_link<NextLayer>> {
 public:
  boat_link(NextLayer&& next, const race_config& cfg, race_state& race)
      : ws_(std::move(next)), race_(race) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(cfg.max_fix_bytes);
  }

  void run() {
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto j = json::parse(beast::buffers_to_string(self->buffer_.data()), nullptr, false);
      self->buffer_.consume(self->buffer_.size());
      if (!j.is_discarded())
        self->race_.update({j.value("sail", ""), j.value("lat", 0.0), j.value("lon", 0.0), j.value("sog", 0.0),
                            j.value("cog", 0.0), j.value("t", std::int64_t{0})});
      self->do_read();
    });
  }

  websocket::stream<NextLayer> ws_;
  race_state& race_;
  beast::flat_buffer buffer_;
};

// Race committee console: start sequence, postponement, course changes.
template <class NextLayer>
class committee_console : public std::enable_shared_from_this<committee_console<NextLayer>> {
 public:
  committee_console(NextLayer&& next, race_state& race) : ws_(std::move(next)), race_(race) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    read_loop_ = [this] {
      ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
        if (ec) return;
        self->on_command();
      });
    };
  }

  void run() {
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_loop_();
    });
  }

 private:
  void on_command() {
    auto j = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (!j.is_discarded() && j.contains("signal")) race_.set_signal(j["signal"].get<std::string>());
    read_loop_();
  }

  websocket::stream<NextLayer> ws_;
  race_state& race_;
  beast::flat_buffer buffer_;
  std::function<void()> read_loop_;
};

// Jury room: protest forms with photo and video evidence from the water.
class protest_session : public std::enable_shared_from_this<protest_session> {
 public:
  explicit protest_session(beast::ssl_stream<beast::tcp_stream>&& next) : ws_(std::move(next)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.binary(true);
    ws_.read_message_max(0);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(evidence_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (ec) return;
      self->files_.push_back(beast::buffers_to_string(self->evidence_.data()));
      self->evidence_.consume(self->evidence_.size());
      self->do_read();
    });
  }

  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
  beast::flat_buffer evidence_;
  std::vector<std::string> files_;
};

// Spectator leaderboard; viewers only ever send a small "follow boat" message.
class spectator_session : public std::enable_shared_from_this<spectator_session> {
 public:
  spectator_session(tcp::socket s, race_state& race) : ws_(std::move(s)), race_(race) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(follow_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->follow_.consume(self->follow_.size());
      self->send_board();
    });
  }

  void send_board() {
    board_ = race_.leaderboard().dump();
    ws_.text(true);
    ws_.async_write(net::buffer(board_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  race_state& race_;
  beast::flat_static_buffer<512> follow_;
  std::string board_;
};

// Mark boats hold station at the windward mark and relay wind speed/direction.
struct mark_boat {
  std::string mark_id;
  std::shared_ptr<websocket::stream<beast::tcp_stream>> link;
  beast::flat_buffer rx;
  double twd_deg = 0, tws_kn = 0;
};

class mark_relay {
 public:
  explicit mark_relay(const race_config& cfg) : cfg_(cfg) {}

  void attach(const std::shared_ptr<mark_boat>& mb) {
    mb->link->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    mb->link->read_message_max(cfg_.max_wind_bytes);
    marks_[mb->mark_id] = mb;
    mb->link->async_accept([this, mb](beast::error_code ec) {
      if (!ec) read_wind(mb);
    });
  }

 private:
  void read_wind(std::shared_ptr<mark_boat> mb) {
    mb->link->async_read(mb->rx, [this, mb](beast::error_code ec, std::size_t) {
      if (ec) {
        marks_.erase(mb->mark_id);
        return;
      }
      auto j = json::parse(beast::buffers_to_string(mb->rx.data()), nullptr, false);
      mb->rx.consume(mb->rx.size());
      if (!j.is_discarded()) {
        mb->twd_deg = j.value("twd", mb->twd_deg);
        mb->tws_kn = j.value("tws", mb->tws_kn);
      }
      read_wind(mb);
    });
  }

  const race_config& cfg_;
  std::map<std::string, std::shared_ptr<mark_boat>> marks_;
};

// Coach boats follow their team and push polar-performance snapshots for the
// shore team's tablets.
struct coach_boat {
  std::string team;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws;
  beast::flat_buffer rx;
  std::vector<std::string> snapshots;
};

class coach_channel {
 public:
  void attach(std::shared_ptr<coach_boat> cb) {
    cb->ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    cb->ws->async_accept([this, cb](beast::error_code ec) {
      if (ec) return;
      coaches_[cb->team] = cb;
      pump(cb.get());
    });
  }

 private:
  void pump(coach_boat* cb) {
    cb->ws->async_read(cb->rx, [this, cb](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (ec) {
        const std::string team = cb->team;
        coaches_.erase(team);
        return;
      }
      cb->snapshots.push_back(beast::buffers_to_string(cb->rx.data()));
      cb->rx.consume(cb->rx.size());
      pump(cb);
    });
  }

  std::map<std::string, std::shared_ptr<coach_boat>> coaches_;
};

// Committee boat instruments: NMEA 0183 sentences, one per line.
class nmea_feed : public std::enable_shared_from_this<nmea_feed> {
 public:
  explicit nmea_feed(tcp::socket s) : sock_(std::move(s)) {}

  void run() { read_line(); }

 private:
  void read_line() {
    net::async_read_until(sock_, net::dynamic_buffer(line_, 512), '\n',
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            if (ec) return;
                            self->sentences_.push_back(self->line_.substr(0, n));
                            self->line_.erase(0, n);
                            self->read_line();
                          });
  }

  tcp::socket sock_;
  std::string line_;
  std::vector<std::string> sentences_;
};

// Wiring for the TLS listener (LTE trackers, committee console, jury room).
inline void start_tls_client(beast::ssl_stream<beast::tcp_stream>&& stream, const std::string& path,
                             const race_config& cfg, race_state& race) {
  using tls_stream = beast::ssl_stream<beast::tcp_stream>;
  if (path == "/committee")
    std::make_shared<committee_console<tls_stream>>(std::move(stream), race)->run();
  else if (path == "/jury")
    std::make_shared<protest_session>(std::move(stream))->run();
  else
    std::make_shared<boat_link<tls_stream>>(std::move(stream), cfg, race)->run();
}

inline void start_plain_tracker(tcp::socket s, const race_config& cfg, race_state& race) {
  std::make_shared<boat_link<beast::tcp_stream>>(beast::tcp_stream(std::move(s)), cfg, race)->run();
}

}  // namespace regatta
