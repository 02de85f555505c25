// checks: errorshield-ws-message-limit
// Courier location tracker: rider apps stream GPS fixes, dispatch and
// restaurant tablets watch orders move on the map.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace tracker {

struct WsLimits {
  std::size_t max_message = 8 * 1024;
  bool compress = false;
};

constexpr WsLimits kShiftLimits{1024, false};
constexpr WsLimits kConsoleLimits{32 * 1024, false};
constexpr WsLimits kTabletLimits{4 * 1024, false};

template <class Stream>
void apply_limits(const WsLimits& lim, websocket::stream<Stream>& ws) {
  ws.read_message_max(lim.max_message);
  websocket::permessage_deflate pmd;
  pmd.server_enable = lim.compress;
  ws.set_option(pmd);
}

struct Fix {
  std::string courier_id;
  double lat = 0.0, lon = 0.0;
  long ts_ms = 0;
};

class LocationBoard {
 public:
  void update(const Fix& f) {
    std::lock_guard lk(mu_);
    last_[f.courier_id] = f;
  }
  std::optional<Fix> get(const std::string& id) {
    std::lock_guard lk(mu_);
    auto it = last_.find(id);
    if (it == last_.end()) return std::nullopt;
    return it->second;
  }
  json snapshot() {
    std::lock_guard lk(mu_);
    json arr = json::array();
    for (auto& [id, f] : last_) arr.push_back({{"id", id}, {"lat", f.lat}, {"lon", f.lon}, {"ts", f.ts_ms}});
    return arr;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, Fix> last_;
};

std::optional<Fix> parse_fix(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.contains("id")) return std::nullopt;
  return Fix{j.value("id", ""), j.value("lat", 0.0), j.value("lon", 0.0), j.value("ts", 0L)};
}

// Rider app GPS stream. The read step is stored once and re-armed after
// every message; "pause" only stops publishing, the socket keeps draining.
class CourierSession : public std::enable_shared_from_this<CourierSession> {
 public:
  CourierSession(tcp::socket s, LocationBoard& board) : ws_(std::move(s)), board_(board) {}

  void start(http::request<http::string_body> req) {
    req_ = std::move(req);
    read_loop_ = [this] {
      ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
        if (ec) return;
        self->on_fix();
      });
    };
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_loop_();
    });
  }

 private:
  void on_fix() {
    auto text = beast::buffers_to_string(buf_.data());
    buf_.consume(buf_.size());
    if (text == R"({"pause":true})") paused_ = true;
    else if (text == R"({"pause":false})") paused_ = false;
    else if (auto f = parse_fix(text); f && !paused_) board_.update(*f);
    read_loop_();
  }

  websocket::stream<beast::tcp_stream> ws_;
  http::request<http::string_body> req_;
  beast::flat_buffer buf_;
  std::function<void()> read_loop_;
  bool paused_ = false;
  LocationBoard& board_;
};

// Courier clock-in / clock-out.
class ShiftSession : public std::enable_shared_from_this<ShiftSession> {
 public:
  explicit ShiftSession(tcp::socket s) : ws_(std::move(s)) {}

  void start(http::request<http::string_body> req) {
    req_ = std::move(req);
    ws_.read_message_max(kShiftLimits.max_message);
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (!j.is_discarded()) self->on_duty_ = j.value("on_duty", false);
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  http::request<http::string_body> req_;
  beast::flat_buffer buf_;
  bool on_duty_ = false;
};

// Restaurant tablets: "where is my courier" plus order-ready pings.
class TabletLink {
 public:
  explicit TabletLink(LocationBoard& board) : board_(board) {}

  void adopt(tcp::socket s, http::request<http::string_body> req) {
    ws_ = std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(s));
    req_ = std::move(req);
    ws_->async_accept(req_, [this](beast::error_code ec) { if (!ec) read_query(); });
  }

 private:
  void read_query() {
    ws_->async_read(buf_, [this](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (ec) { ws_.reset(); return; }
      auto j = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
      buf_.consume(buf_.size());
      if (!j.is_discarded()) {
        auto f = board_.get(j.value("courier", ""));
        reply_ = f ? json{{"lat", f->lat}, {"lon", f->lon}}.dump() : R"({"error":"unknown"})";
        ws_->async_write(asio::buffer(reply_), [this](beast::error_code, std::size_t) { read_query(); });
      }
    });
  }

  LocationBoard& board_;
  std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
  http::request<http::string_body> req_;
  beast::flat_buffer buf_;
  std::string reply_;
};

// Dispatcher console (coroutine).
asio::awaitable<void> dispatch_console(tcp::socket s, http::request<http::string_body> req,
                                       LocationBoard& board) {
  auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(s));
  apply_limits(kConsoleLimits, *ws);
  co_await ws->async_accept(req, asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws->async_read(buf, asio::use_awaitable);
    buf.consume(buf.size());
    auto snap = board.snapshot().dump();
    ws->text(true);
    co_await ws->async_write(asio::buffer(snap), asio::use_awaitable);
  }
}

// Third-party fleet partners push batched fixes for their riders.
asio::awaitable<void> partner_feed(tcp::socket s, http::request<http::string_body> req,
                                   LocationBoard& board) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  ws.auto_fragment(true);
  co_await ws.async_accept(req, asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable); // expect: errorshield-ws-message-limit
    auto batch = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    for (auto& fix : batch.is_array() ? batch : json::array())
      board.update(Fix{fix.value("id", ""), fix.value("lat", 0.0), fix.value("lon", 0.0), fix.value("ts", 0L)});
  }
}

// After a tracker restart we pull the fixes we missed from the regional
// aggregator before accepting live traffic.
void recover_from_aggregator(asio::io_context& ioc, const std::string& host, LocationBoard& board) {
  tcp::resolver resolver(ioc);
  websocket::stream<tcp::socket> ws(ioc);
  beast::error_code ec;
  asio::connect(ws.next_layer(), resolver.resolve(host, "9100"), ec);
  if (ec) return;
  ws.handshake(host, "/backfill", ec);
  if (ec) return;
  beast::flat_buffer buf;
  while (!ec) {
    ws.read(buf, ec); // expect: errorshield-ws-message-limit
    if (ec) break;
    if (auto f = parse_fix(beast::buffers_to_string(buf.data()))) board.update(*f);
    buf.consume(buf.size());
  }
}

// Public "track my order" page: HTTP long-poll, not WebSocket.
void serve_track_page(tcp::socket s, LocationBoard& board) {
  beast::tcp_stream stream(std::move(s));
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  beast::error_code ec;
  stream.expires_after(std::chrono::seconds(5));
  http::read(stream, buf, req, ec);
  if (ec) return;
  http::response<http::string_body> res{http::status::ok, req.version()};
  auto f = board.get(std::string(req.target().substr(req.target().rfind('/') + 1)));
  res.body() = f ? json{{"lat", f->lat}, {"lon", f->lon}}.dump() : "{}";
  res.prepare_payload();
  http::write(stream, res, ec);
}

// Map viewers in the ops room only ever receive snapshots.
asio::awaitable<void> map_wall(tcp::socket s, http::request<http::string_body> req, LocationBoard& board) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  co_await ws.async_accept(req, asio::use_awaitable);
  asio::steady_timer tick(ws.get_executor());
  for (;;) {
    auto snap = board.snapshot().dump();
    co_await ws.async_write(asio::buffer(snap), asio::use_awaitable);
    tick.expires_after(std::chrono::seconds(2));
    co_await tick.async_wait(asio::use_awaitable);
  }
}

}  // namespace tracker
