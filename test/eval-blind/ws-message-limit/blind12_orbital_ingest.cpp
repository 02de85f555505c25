// checks: errorshield-ws-message-limit
// Orbital-elements ingest: ground stations and catalogue mirrors push OMM/TLE
// batches over WebSocket; the service normalises them into the conjunction
// screening catalogue.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace orbit_ingest {

using ws_stream = websocket::stream<beast::tcp_stream>;

constexpr std::size_t kMaxOmmBatch = 2 * 1024 * 1024;
constexpr std::size_t kMaxStationStatus = 32 * 1024;
constexpr std::size_t kMaxObjectsPerBatch = 5000;

struct MeanElements {
  std::uint32_t norad_id = 0;
  std::string epoch;
  double mean_motion = 0;
  double eccentricity = 0;
  double inclination_deg = 0;
  double raan_deg = 0;
  double arg_perigee_deg = 0;
  double mean_anomaly_deg = 0;
  double bstar = 0;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MeanElements, norad_id, epoch, mean_motion, eccentricity,
                                   inclination_deg, raan_deg, arg_perigee_deg, mean_anomaly_deg,
                                   bstar)

class Catalogue {
 public:
  void upsert(const MeanElements& e) {
    std::lock_guard lk(mu_);
    objects_[e.norad_id] = e;
  }
  std::size_t size() const {
    std::lock_guard lk(mu_);
    return objects_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::uint32_t, MeanElements> objects_;
};

void log_line(const std::string& s) { std::fprintf(stderr, "[omm] %s\n", s.c_str()); }

void apply_batch(Catalogue& cat, const std::string& payload) {
  auto j = json::parse(payload, nullptr, false);
  if (!j.is_array()) return;
  std::size_t taken = 0;
  for (const auto& item : j) {
    if (++taken > kMaxObjectsPerBatch) break;
    cat.upsert(item.get<MeanElements>());
  }
}

// Station uplinks accepted from the ground network.
class IngestSession : public std::enable_shared_from_this<IngestSession> {
 public:
  IngestSession(tcp::socket s, Catalogue& cat) : ws_(std::move(s)), cat_(cat) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(kMaxOmmBatch);
  }

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_next();
    });
  }

 private:
  void read_next() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {  // OK: limit in ctor
      if (ec) return;
      apply_batch(self->cat_, beast::buffers_to_string(self->buf_.data()));
      self->buf_.clear();
      self->read_next();
    });
  }

  ws_stream ws_;
  beast::flat_buffer buf_;
  Catalogue& cat_;
};

// Two redundant tracking stations feed the same pass; whichever arrives first wins.
class DualFeedIngest {
 public:
  DualFeedIngest(asio::io_context& ioc, Catalogue& cat)
      : primary_(asio::make_strand(ioc)), backup_(asio::make_strand(ioc)), cat_(cat) {
    primary_.read_message_max(kMaxOmmBatch);
    primary_.read_message_max(kMaxOmmBatch);
  }

  void start_reads() {
    primary_.async_read(primary_buf_, [this](beast::error_code ec, std::size_t) {  // OK
      if (ec) return;
      apply_batch(cat_, beast::buffers_to_string(primary_buf_.data()));
      primary_buf_.clear();
    });
    backup_.async_read(backup_buf_, [this](beast::error_code ec, std::size_t) {  // expect: errorshield-ws-message-limit
      if (ec) return;
      apply_batch(cat_, beast::buffers_to_string(backup_buf_.data()));
      backup_buf_.clear();
    });
  }

  ws_stream& primary() { return primary_; }
  ws_stream& backup() { return backup_; }

 private:
  ws_stream primary_;
  ws_stream backup_;
  beast::flat_buffer primary_buf_;
  beast::flat_buffer backup_buf_;
  Catalogue& cat_;
};

// Old TLE broadcaster still used by two partner agencies. Reading starts only
// after the local catalogue has finished loading from disk.
class LegacyTleBridge {
 public:
  LegacyTleBridge(asio::io_context& ioc, Catalogue& cat) : link_(asio::make_strand(ioc)), cat_(cat) {}

  void connect(const tcp::endpoint& ep) {
    beast::get_lowest_layer(link_).async_connect(ep, [this](beast::error_code ec) {
      if (ec) return log_line("tle connect: " + ec.message());
      link_.async_handshake("tle-broadcast.partner", "/stream", [this](beast::error_code ec2) {
        if (ec2) return;
        on_catalogue_ready_ = [this] {
          link_.async_read(buf_, [this](beast::error_code ec3, std::size_t) {  // expect: errorshield-ws-message-limit
            if (ec3) return;
            log_line("tle frame " + std::to_string(buf_.size()) + " bytes");
            buf_.clear();
          });
        };
      });
    });
  }

  void catalogue_loaded() {
    if (on_catalogue_ready_) on_catalogue_ready_();
  }

 private:
  ws_stream link_;
  beast::flat_buffer buf_;
  Catalogue& cat_;
  std::function<void()> on_catalogue_ready_;
};

// Station health/status messages arrive on a side channel owned by the
// station registry; the coroutine only sees a context with a reference.
struct StationCtx {
  std::string station_id;
  ws_stream& ws;
};

asio::awaitable<void> station_status_loop(StationCtx ctx) {
  ctx.ws.read_message_max(kMaxStationStatus);
  beast::flat_buffer buf;
  for (;;) {
    co_await ctx.ws.async_read(buf, asio::use_awaitable);  // OK: limit set through the reference
    auto status = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (status.is_object())
      log_line(ctx.station_id + " antenna=" + status.value("antenna", std::string{"?"}));
    buf.consume(buf.size());
  }
}

// Nightly full-catalogue snapshot from the mirror. Pulled in 64 KiB slices so
// no single read is large.
std::string pull_catalog_snapshot(asio::io_context& ioc, const tcp::endpoint& ep) {
  websocket::stream<tcp::socket> ws(ioc);
  ws.next_layer().connect(ep);
  ws.handshake("catalog-mirror.internal", "/snapshot");
  beast::flat_buffer buf;
  do {
    ws.read_some(buf, 64 * 1024);  // expect: errorshield-ws-message-limit
  } while (!ws.is_message_done());
  return beast::buffers_to_string(buf.data());
}

// Manoeuvre-plan exchange with operators: limit comes from per-operator config.
struct OperatorConfig {
  std::string name;
  std::size_t max_plan_bytes = 512 * 1024;
};

std::string read_manoeuvre_plan(websocket::stream<tcp::socket>& ws, const OperatorConfig& cfg) {
  const std::size_t cap = cfg.max_plan_bytes ? cfg.max_plan_bytes : kMaxOmmBatch;
  ws.read_message_max(cap);
  beast::flat_buffer buf;
  beast::error_code ec;
  ws.read(buf, ec);  // OK
  if (ec) {
    log_line(cfg.name + " plan read: " + ec.message());
    return {};
  }
  return beast::buffers_to_string(buf.data());
}

// Screening results are pushed out; this stream never reads.
void publish_conjunction(websocket::stream<tcp::socket>& ws, std::uint32_t a, std::uint32_t b, double pc) {
  json j = {{"primary", a}, {"secondary", b}, {"pc", pc}};
  ws.text(true);
  ws.write(asio::buffer(j.dump()));
}

void accept_stations(tcp::acceptor& acc, Catalogue& cat) {
  acc.async_accept([&acc, &cat](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<IngestSession>(std::move(s), cat)->run();
    accept_stations(acc, cat);
  });
}

}  // namespace orbit_ingest
