// checks: errorshield-ws-frame-type
// Traffic camera hub: roadside cameras push JPEG snapshots and detection
// events (JSON), the hub stores them and forwards both to operator consoles.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

struct Snapshot {
  std::string camera_id;
  std::vector<std::byte> jpeg;
};

struct DetectionEvent {
  std::string camera_id;
  std::string kind;  // "stalled_vehicle", "wrong_way", "queue"
  int lane = 0;
};

class EvidenceStore {
 public:
  void put(Snapshot s) {
    std::lock_guard lk(mu_);
    latest_[s.camera_id] = std::move(s.jpeg);
  }
  std::vector<std::byte> latest(const std::string& cam) const {
    std::lock_guard lk(mu_);
    auto it = latest_.find(cam);
    return it == latest_.end() ? std::vector<std::byte>{} : it->second;
  }
  void log_event(const DetectionEvent& ev) {
    std::lock_guard lk(mu_);
    std::clog << ev.camera_id << " lane " << ev.lane << ": " << ev.kind << "\n";
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::byte>> latest_;
};

std::vector<std::byte> as_bytes(const beast::flat_buffer& b) {
  auto d = b.data();
  auto p = static_cast<const std::byte*>(d.data());
  return {p, p + d.size()};
}

// Camera uplink: both frame kinds share one connection.
class CameraSession : public std::enable_shared_from_this<CameraSession> {
 public:
  CameraSession(tcp::socket s, EvidenceStore& store) : ws_(std::move(s)), store_(store) {}

  void start() {
    ws_.read_message_max(2 * 1024 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_next();
    });
  }

 private:
  void read_next() {
    ws_.async_read(buf_, beast::bind_front_handler(&CameraSession::on_frame, shared_from_this()));
  }
  void on_frame(beast::error_code ec, std::size_t) {
    if (ec) return;
    if (ws_.got_binary()) {
      store_.put({cam_id_, as_bytes(buf_)});
    } else {
      auto j = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
      if (j.contains("hello")) cam_id_ = j["hello"].get<std::string>();
      else if (j.is_object()) store_.log_event({cam_id_, j.value("kind", ""), j.value("lane", 0)});
    }
    buf_.consume(buf_.size());
    read_next();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  EvidenceStore& store_;
  std::string cam_id_ = "unknown";
};

// Older firmware sends events only, on a separate port.
asio::awaitable<void> legacy_event_uplink(tcp::socket sock, EvidenceStore& store) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(64 * 1024);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer b;
  for (;;) {
    co_await ws.async_read(b, asio::use_awaitable);
    auto ev = json::parse(beast::buffers_to_string(b.data()), nullptr, false); // expect: errorshield-ws-frame-type
    b.consume(b.size());
    if (ev.is_object()) store.log_event({ev.value("cam", ""), ev.value("kind", ""), ev.value("lane", 0)});
  }
}

// Operator console: receives events as JSON and snapshots on demand.
template <class Stream>
class ConsoleSession : public std::enable_shared_from_this<ConsoleSession<Stream>> {
 public:
  ConsoleSession(Stream s, EvidenceStore& store) : ws_(std::move(s)), store_(store) {
    ws_.text(true);
    ws_.read_message_max(8 * 1024);
  }

  void start() {
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_cmd();
    });
  }

  void push_event(const DetectionEvent& ev) {
    auto msg = std::make_shared<std::string>(
        json{{"cam", ev.camera_id}, {"kind", ev.kind}, {"lane", ev.lane}}.dump());
    ws_.async_write(asio::buffer(*msg), [msg](beast::error_code, std::size_t) {});
  }

 private:
  void read_cmd() {
    ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      if (!self->ws_.got_text()) return;  // consoles only speak JSON
      auto cmd = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (cmd.value("op", "") == "snapshot") self->send_snapshot(cmd.value("cam", ""));
      else self->read_cmd();
    });
  }

  void send_snapshot(const std::string& cam) {
    auto jpeg = std::make_shared<std::vector<std::byte>>(store_.latest(cam));
    ws_.async_write(asio::buffer(*jpeg), // expect: errorshield-ws-frame-type
                    [self = this->shared_from_this(), jpeg](beast::error_code ec, std::size_t) {
                      if (!ec) self->read_cmd();
                    });
  }

  websocket::stream<Stream> ws_;
  beast::flat_buffer buf_;
  EvidenceStore& store_;
};

// Wall display in the control room: snapshots only, rotating through cameras.
asio::awaitable<void> video_wall(tcp::socket sock, EvidenceStore& store, std::vector<std::string> cams) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(asio::use_awaitable);
  ws.binary(true);
  asio::steady_timer t(co_await asio::this_coro::executor);
  for (std::size_t i = 0;; i = (i + 1) % cams.size()) {
    auto jpeg = store.latest(cams[i]);
    co_await ws.async_write(asio::buffer(jpeg), asio::use_awaitable);
    t.expires_after(std::chrono::seconds(5));
    co_await t.async_wait(asio::use_awaitable);
  }
}

// Mobile app for field crews: one snapshot per request.
asio::awaitable<void> field_crew(tcp::socket sock, EvidenceStore& store) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(1024);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer b;
  for (;;) {
    co_await ws.async_read(b, asio::use_awaitable);
    std::string cam = beast::buffers_to_string(b.data());
    b.consume(b.size());
    if (!ws.got_text() || cam.empty()) continue;
    std::ifstream f("/srv/cams/" + cam + "/latest.jpg", std::ios::binary);
    std::string jpeg((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    ws.text(true);
    co_await ws.async_write(asio::buffer(jpeg), asio::use_awaitable); // expect: errorshield-ws-frame-type
  }
}

// Blocking exporter that hands evidence to the police records system.
void export_evidence(websocket::stream<tcp::socket>& ws, const EvidenceStore& store,
                     const std::vector<std::string>& cams) {
  for (const auto& cam : cams) {
    ws.text(true);
    ws.write(asio::buffer(json{{"cam", cam}, {"type", "header"}}.dump()));
    auto jpeg = store.latest(cam);
    ws.write(asio::buffer(jpeg)); // expect: errorshield-ws-frame-type
  }
}

void export_evidence_v2(websocket::stream<tcp::socket>& ws, const EvidenceStore& store,
                        const std::vector<std::string>& cams) {
  for (const auto& cam : cams) {
    ws.text(true);
    ws.write(asio::buffer(json{{"cam", cam}, {"type", "header"}}.dump()));
    auto jpeg = store.latest(cam);
    ws.binary(true);
    ws.write(asio::buffer(jpeg));
  }
}

// Regional centre link: forwards each frame as it was received.
void forward_to_region(websocket::stream<tcp::socket>& from, websocket::stream<tcp::socket>& to) {
  beast::flat_buffer b;
  for (beast::error_code ec; !ec;) {
    from.read(b, ec);
    if (ec) break;
    to.binary(from.got_binary());
    to.write(b.data(), ec);
    b.consume(b.size());
  }
}

// Incident feed from the 3rd-party navigation provider.
void watch_incidents(std::shared_ptr<websocket::stream<beast::tcp_stream>> ws, EvidenceStore& store) {
  auto buf = std::make_shared<beast::flat_buffer>();
  ws->async_read(*buf, [ws, buf, &store](beast::error_code ec, std::size_t) {
    if (ec) return;
    auto inc = json::parse(beast::buffers_to_string(buf->data())); // expect: errorshield-ws-frame-type
    store.log_event({inc.value("near_cam", ""), "incident", inc.value("lane", 0)});
    watch_incidents(ws, store);
  });
}

int main() {
  asio::io_context ioc;
  EvidenceStore store;
  tcp::acceptor cams(ioc, {tcp::v4(), 6000});
  cams.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<CameraSession>(std::move(s), store)->start();
  });
  tcp::acceptor consoles(ioc, {tcp::v4(), 6001});
  consoles.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<ConsoleSession<beast::tcp_stream>>(beast::tcp_stream(std::move(s)), store)->start();
  });
  tcp::acceptor misc(ioc, {tcp::v4(), 6002});
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    co_spawn(ioc, legacy_event_uplink(co_await misc.async_accept(asio::use_awaitable), store), asio::detached);
    co_spawn(ioc, video_wall(co_await misc.async_accept(asio::use_awaitable), store, {"A1", "A2"}), asio::detached);
    co_spawn(ioc, field_crew(co_await misc.async_accept(asio::use_awaitable), store), asio::detached);
  }, asio::detached);

  websocket::stream<tcp::socket> records(ioc), region(ioc);
  export_evidence(records, store, {"A1"});
  export_evidence_v2(records, store, {"A2"});
  forward_to_region(records, region);
  watch_incidents(std::make_shared<websocket::stream<beast::tcp_stream>>(ioc), store);
  ioc.run();
}
