// checks: errorshield-ws-frame-type
// Thumbnail push service for the CCTV wall: camera agents upload status and
// JPEG stills, operator consoles receive live thumbnails per camera.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct Thumbnail {
  std::string camera_id;
  std::chrono::system_clock::time_point taken;
  std::vector<std::uint8_t> jpeg;
};

class ThumbnailCache {
public:
  void put(Thumbnail t) {
    std::lock_guard lk(mu_);
    auto id = t.camera_id;
    latest_[id] = std::make_shared<Thumbnail const>(std::move(t));
  }
  std::shared_ptr<Thumbnail const> get(std::string const &cam) const {
    std::lock_guard lk(mu_);
    auto it = latest_.find(cam);
    return it == latest_.end() ? nullptr : it->second;
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Thumbnail const>> latest_;
};

static std::string to_base64(std::vector<std::uint8_t> const &in) {
  static constexpr char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    std::uint32_t v = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
    out += tbl[(v >> 18) & 63], out += tbl[(v >> 12) & 63], out += tbl[(v >> 6) & 63], out += tbl[v & 63];
  }
  if (i < in.size()) {
    std::uint32_t v = in[i] << 16 | (i + 1 < in.size() ? in[i + 1] << 8 : 0);
    out += tbl[(v >> 18) & 63], out += tbl[(v >> 12) & 63];
    out += (i + 1 < in.size()) ? tbl[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Console session: announces itself with JSON, then streams thumbnails.
template <class NextLayer>
class WallPusher : public std::enable_shared_from_this<WallPusher<NextLayer>> {
public:
  WallPusher(NextLayer next, ThumbnailCache &cache, std::vector<std::string> cams)
      : ws_(std::move(next)), cache_(cache), cams_(std::move(cams)), timer_(ws_.get_executor()) {
    ws_.text(true);
  }

  void start() {
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->send_hello();
    });
  }

private:
  void send_hello() {
    hello_ = json{{"type", "hello"}, {"cameras", cams_}}.dump();
    ws_.async_write(net::buffer(hello_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec)
        self->push_next(0);
    });
  }

  void push_next(std::size_t idx) {
    if (idx >= cams_.size()) {
      timer_.expires_after(std::chrono::milliseconds(500));
      timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
        if (!ec)
          self->push_next(0);
      });
      return;
    }
    auto thumb = cache_.get(cams_[idx]);
    if (!thumb)
      return push_next(idx + 1);
    ws_.async_write(net::buffer(thumb->jpeg), // expect: errorshield-ws-frame-type
                    [self = this->shared_from_this(), thumb, idx](beast::error_code ec, std::size_t) {
                      if (!ec)
                        self->push_next(idx + 1);
                    });
  }

  websocket::stream<NextLayer> ws_;
  ThumbnailCache &cache_;
  std::vector<std::string> cams_;
  net::steady_timer timer_;
  std::string hello_;
};

// Mobile guard app: binary-only channel, negotiated at connect time.
class GuardAppSession : public std::enable_shared_from_this<GuardAppSession> {
public:
  GuardAppSession(tcp::socket s, ThumbnailCache &cache) : ws_(std::move(s)), cache_(cache) { ws_.binary(true); }

  void send_camera(std::string const &cam) {
    auto thumb = cache_.get(cam);
    if (!thumb)
      return;
    ws_.async_write(net::buffer(thumb->jpeg), [self = shared_from_this(), thumb](beast::error_code, std::size_t) {});
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  ThumbnailCache &cache_;
};

// Camera agent upload: status as JSON text frames, stills as binary frames.
net::awaitable<void> camera_agent(websocket::stream<beast::tcp_stream> ws, ThumbnailCache &cache, std::string cam) {
  ws.read_message_max(2 * 1024 * 1024);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
    if (ec)
      co_return;
    auto const *p = static_cast<std::uint8_t const *>(buf.data().data());
    if (ws.got_text()) {
      auto status = json::parse(p, p + n, nullptr, false);
      if (status.is_object())
        std::cout << cam << " status: " << status.value("state", "?") << "\n";
    } else {
      cache.put(Thumbnail{cam, std::chrono::system_clock::now(), std::vector<std::uint8_t>(p, p + n)});
    }
    buf.consume(n);
  }
}

// Older NVR bridge: pushes motion events; sometimes also attaches a still.
net::awaitable<void> nvr_bridge(websocket::stream<beast::tcp_stream> ws) {
  ws.read_message_max(2 * 1024 * 1024);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    std::size_t n = co_await ws.async_read(buf, net::use_awaitable);
    auto const *p = static_cast<char const *>(buf.data().data());
    json ev = json::parse(p, p + n); // expect: errorshield-ws-frame-type
    std::cout << "motion on " << ev.value("camera", "?") << "\n";
    buf.consume(n);
  }
}

// Single-shot snapshot for the incident report tool.
net::awaitable<void> send_snapshot(websocket::stream<beast::tcp_stream> &ws, std::vector<std::byte> const &still) {
  co_await ws.async_write(net::buffer(still.data(), still.size()), net::use_awaitable); // expect: errorshield-ws-frame-type
}

// Same snapshot, embedded in the incident JSON for the web report viewer.
net::awaitable<void> send_snapshot_inline(websocket::stream<beast::tcp_stream> &ws, Thumbnail const &t) {
  json report{{"camera", t.camera_id},
              {"taken", std::chrono::duration_cast<std::chrono::seconds>(t.taken.time_since_epoch()).count()},
              {"jpeg_b64", to_base64(t.jpeg)}};
  ws.text(true);
  co_await ws.async_write(net::buffer(report.dump()), net::use_awaitable);
}

// Snapshot in binary for the archiver.
net::awaitable<void> archive_snapshot(websocket::stream<beast::tcp_stream> &ws, Thumbnail const &t) {
  ws.binary(true);
  co_await ws.async_write(net::buffer(t.jpeg), net::use_awaitable);
}

// Wall test pattern, synchronous, used by installers on site.
void run_test_pattern(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  auto send_still = [&ws](std::array<std::uint8_t, 4> const &marker) {
    ws.text(true);
    ws.write(net::buffer(marker)); // expect: errorshield-ws-frame-type
  };
  auto send_label = [&ws](std::string const &label) {
    ws.text(true);
    ws.write(net::buffer(json{{"label", label}}.dump()));
  };
  for (int i = 0; i < 16; ++i) {
    send_label("tile " + std::to_string(i));
    send_still({0xFF, 0xD8, 0xFF, static_cast<std::uint8_t>(i)});
  }
  ws.close(websocket::close_code::normal);
}

int main() {
  net::io_context ioc;
  ThumbnailCache cache;
  tcp::acceptor acc(ioc, {tcp::v4(), 8554});
  acc.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (ec)
      return;
    std::make_shared<WallPusher<beast::tcp_stream>>(beast::tcp_stream(std::move(s)), cache,
                                                    std::vector<std::string>{"lobby", "dock-2", "garage"})
        ->start();
  });
  ioc.run();
}
