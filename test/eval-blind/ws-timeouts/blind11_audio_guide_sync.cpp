// checks: errorshield-ws-timeouts
// Museum audio-guide sync: handsets report which exhibit they stand at, the
// server keeps group tours in lock-step and pushes track offsets.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace guide {

struct PlaybackCue {
  std::string exhibit;
  std::string track;
  long offset_ms = 0;
};

class TourClock {
 public:
  void set(const std::string& tour, PlaybackCue cue) {
    std::lock_guard lk(mu_);
    cues_[tour] = std::move(cue);
  }
  json cue_for(const std::string& tour) {
    std::lock_guard lk(mu_);
    auto it = cues_.find(tour);
    if (it == cues_.end()) return {{"type", "idle"}};
    return {{"type", "cue"}, {"exhibit", it->second.exhibit}, {"track", it->second.track},
            {"offset", it->second.offset_ms}};
  }

 private:
  std::mutex mu_;
  std::map<std::string, PlaybackCue> cues_;
};

template <class WsStream>
void harden_timeouts(WsStream& ws) {
  auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
  opt.idle_timeout = 45s;  // handsets sleep between galleries
  ws.set_option(opt);
}

// Individual visitor handset. The acceptor configures the stream through
// stream() before calling run().
class Handset : public std::enable_shared_from_this<Handset> {
 public:
  Handset(tcp::socket s, TourClock& clock) : ws_(std::move(s)), clock_(clock) {}
  websocket::stream<beast::tcp_stream>& stream() { return ws_; }

  void run(http::request<http::string_body> req) {
    req_ = std::move(req);
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { if (!ec) self->read(); });
  }

 private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (j.is_discarded()) return self->read();
      self->reply_ = self->clock_.cue_for(j.value("tour", "solo")).dump();
      self->ws_.async_write(asio::buffer(self->reply_), [self](beast::error_code ec2, std::size_t) {
        if (!ec2) self->read();
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  http::request<http::string_body> req_;
  beast::flat_buffer buf_;
  std::string reply_;
  TourClock& clock_;
};

// Group tour: the guide's handset drives, one visitor handset mirrors it.
class GroupTourBridge : public std::enable_shared_from_this<GroupTourBridge> {
 public:
  GroupTourBridge(tcp::socket guide, tcp::socket visitor, std::string tour, TourClock& clock)
      : guide_ws_(std::move(guide)), visitor_ws_(std::move(visitor)), tour_(std::move(tour)), clock_(clock) {
    guide_ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    guide_ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  }

  void run(http::request<http::string_body> guide_req, http::request<http::string_body> visitor_req) {
    guide_req_ = std::move(guide_req);
    visitor_req_ = std::move(visitor_req);
    visitor_ws_.async_accept(visitor_req_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->guide_ws_.async_accept(self->guide_req_, [self](beast::error_code ec2) {
        if (!ec2) self->read_guide();
      });
    });
  }

 private:
  void read_guide() {
    guide_ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (!j.is_discarded())
        self->clock_.set(self->tour_, {j.value("exhibit", ""), j.value("track", ""), j.value("offset", 0L)});
      self->mirror_ = self->clock_.cue_for(self->tour_).dump();
      self->visitor_ws_.async_write(asio::buffer(self->mirror_), [self](beast::error_code ec2, std::size_t) {
        if (!ec2) self->read_guide();
      });
    });
  }

  websocket::stream<beast::tcp_stream> guide_ws_;
  websocket::stream<beast::tcp_stream> visitor_ws_; // expect: errorshield-ws-timeouts
  http::request<http::string_body> guide_req_, visitor_req_;
  beast::flat_buffer buf_;
  std::string mirror_;
  std::string tour_;
  TourClock& clock_;
};

// BLE beacon gateways in each gallery report dwell counts.
class BeaconGateway : public std::enable_shared_from_this<BeaconGateway> {
 public:
  explicit BeaconGateway(tcp::socket s) : ws_(std::move(s)) {
    ws_.set_option(websocket::stream_base::timeout{10s, websocket::stream_base::none(), true}); // expect: errorshield-ws-timeouts
  }

  void run(http::request<http::string_body> req) {
    req_ = std::move(req);
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { if (!ec) self->read(); });
  }

 private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      ++self->reports_;
      self->read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  http::request<http::string_body> req_;
  beast::flat_buffer buf_;
  std::size_t reports_ = 0;
};

// Gallery kiosks (coroutine per kiosk).
asio::awaitable<void> kiosk_sync(tcp::socket s, http::request<http::string_body> req, TourClock& clock) {
  websocket::stream<beast::tcp_stream> ws(std::move(s)); // expect: errorshield-ws-timeouts
  co_await ws.async_accept(req, asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    auto cue = clock.cue_for(j.is_discarded() ? std::string("solo") : j.value("tour", "solo")).dump();
    co_await ws.async_write(asio::buffer(cue), asio::use_awaitable);
  }
}

// Docent tablets (coroutine, shared hardening helper).
asio::awaitable<void> docent_tablet(tcp::socket s, http::request<http::string_body> req, TourClock& clock) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  harden_timeouts(ws);
  co_await ws.async_accept(req, asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!j.is_discarded())
      clock.set(j.value("tour", ""), {j.value("exhibit", ""), j.value("track", ""), j.value("offset", 0L)});
  }
}

// Route table: handlers are registered at startup and invoked per upgrade.
using UpgradeHandler = std::function<void(tcp::socket, http::request<http::string_body>)>;

std::map<std::string, UpgradeHandler> build_routes(asio::io_context& ioc, TourClock& clock) {
  std::map<std::string, UpgradeHandler> routes;
  routes["/handset"] = [&clock](tcp::socket s, http::request<http::string_body> req) {
    auto h = std::make_shared<Handset>(std::move(s), clock);
    harden_timeouts(h->stream());
    h->run(std::move(req));
  };
  routes["/exhibit-screen"] = [&clock](tcp::socket s, http::request<http::string_body> req) {
    auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(s)); // expect: errorshield-ws-timeouts
    auto r = std::make_shared<http::request<http::string_body>>(std::move(req));
    ws->async_accept(*r, [ws, r, &clock](beast::error_code ec) {
      if (ec) return;
      auto cue = std::make_shared<std::string>(clock.cue_for((*r)["X-Tour"]).dump());
      ws->async_write(asio::buffer(*cue), [ws, cue](beast::error_code, std::size_t) {});
    });
  };
  routes["/kiosk"] = [&ioc, &clock](tcp::socket s, http::request<http::string_body> req) {
    asio::co_spawn(ioc, kiosk_sync(std::move(s), std::move(req), clock), asio::detached);
  };
  routes["/docent"] = [&ioc, &clock](tcp::socket s, http::request<http::string_body> req) {
    asio::co_spawn(ioc, docent_tablet(std::move(s), std::move(req), clock), asio::detached);
  };
  routes["/beacon"] = [](tcp::socket s, http::request<http::string_body> req) {
    std::make_shared<BeaconGateway>(std::move(s))->run(std::move(req));
  };
  return routes;
}

// Content sync from the collection CMS (plain HTTP, not WebSocket).
std::string fetch_tour_manifest(asio::io_context& ioc, const std::string& host, const std::string& tour) {
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.expires_after(8s);
  stream.connect(resolver.resolve(host, "80"));
  http::request<http::empty_body> req{http::verb::get, "/tours/" + tour + "/manifest", 11};
  req.set(http::field::host, host);
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  return res.body();
}

}  // namespace guide
