// checks: errorshield-ws-close-code
// Planetarium dome controller: every projection dome's show-control PC keeps
// a WebSocket to this server, which pushes star-field cues and tells domes
// to disconnect for maintenance, show end or overload.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace dome {

using ws_t = websocket::stream<beast::tcp_stream>;

// Application-specific close codes (private-use range).
constexpr std::uint16_t kShowCancelled = 4001;
constexpr std::uint16_t kProjectorFault = 4002;

void log_close(const std::string &dome, const websocket::close_reason &cr) {
  switch (cr.code) {
  case websocket::close_code::no_status:
    std::cout << dome << ": closed without status\n";
    break;
  case websocket::close_code::abnormal:
    std::cout << dome << ": dropped\n";
    break;
  default:
    std::cout << dome << ": closed " << cr.code << " " << cr.reason << "\n";
  }
}

class DomeLink : public std::enable_shared_from_this<DomeLink> {
public:
  DomeLink(tcp::socket s, std::string name) : ws_(std::move(s)), name_(std::move(name)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_cue_acks();
    });
  }

  // Operator pressed "end show" on the console.
  void end_show() {
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {});
  }

  // Dome PC stopped acknowledging cues; we treat it as lost.
  void on_ack_timeout() {
    ws_.async_close(websocket::close_code::abnormal, [self = shared_from_this()](beast::error_code) {}); // expect: errorshield-ws-close-code
  }

  void cancel_show(std::string why) {
    websocket::close_reason cr(static_cast<websocket::close_code>(kShowCancelled), why);
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {});
  }

  void projector_fault() {
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(1015), "lamp"), // expect: errorshield-ws-close-code
                    [self = shared_from_this()](beast::error_code) {});
  }

  ws_t &stream() { return ws_; }
  const std::string &name() const { return name_; }

private:
  void read_cue_acks() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == websocket::error::closed) {
        log_close(self->name_, self->ws_.reason());
        return;
      }
      if (ec) return;
      self->buf_.consume(self->buf_.size());
      self->read_cue_acks();
    });
  }

  ws_t ws_;
  std::string name_;
  beast::flat_buffer buf_;
};

// Shared helper used by the scheduler and the ops console.
template <class Stream>
void disconnect_dome(Stream &ws, websocket::close_code why) {
  ws.async_close(why, [](beast::error_code ec) {
    if (ec) std::cerr << "close failed: " << ec.message() << "\n";
  });
}

class DomeRegistry {
public:
  void add(std::shared_ptr<DomeLink> d) { domes_[d->name()] = std::move(d); }

  // Nightly maintenance window: projectors are recalibrated.
  void maintenance_window() {
    for (auto &[name, d] : domes_) disconnect_dome(d->stream(), websocket::close_code::service_restart);
  }

  // Firmware push ends up rebooting the show PC anyway; drop the socket.
  void firmware_push() {
    for (auto &[name, d] : domes_) disconnect_dome(d->stream(), websocket::close_code::no_status); // expect: errorshield-ws-close-code
  }

  void overloaded(const std::string &name) {
    auto it = domes_.find(name);
    if (it != domes_.end()) disconnect_dome(it->second->stream(), websocket::close_code::try_again_later);
  }

private:
  std::map<std::string, std::shared_ptr<DomeLink>> domes_;
};

// Visitor-facing "sky tonight" feed, coroutine style.
asio::awaitable<void> sky_feed(tcp::socket sock, int max_frames) {
  ws_t ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(asio::use_awaitable);
  for (int frame = 0; frame < max_frames; ++frame) {
    std::string cue = "{\"frame\":" + std::to_string(frame) + "}";
    co_await ws.async_write(asio::buffer(cue), asio::use_awaitable);
  }
  // Show over: use our own code so the kiosk knows to show the exit screen.
  co_await ws.async_close(websocket::close_reason(static_cast<websocket::close_code>(2001), "show over"), asio::use_awaitable); // expect: errorshield-ws-close-code
}

asio::awaitable<void> sky_feed_v2(tcp::socket sock, int max_frames) {
  ws_t ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(asio::use_awaitable);
  for (int frame = 0; frame < max_frames; ++frame) {
    std::string cue = "{\"frame\":" + std::to_string(frame) + "}";
    co_await ws.async_write(asio::buffer(cue), asio::use_awaitable);
  }
  websocket::close_reason bye;
  bye.code = 4000;
  bye.reason = "show over";
  co_await ws.async_close(bye, asio::use_awaitable);
}

// Legacy synchronous tool that the projectionists still use for tests.
void run_calibration(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  beast::flat_buffer b;
  beast::error_code ec;
  ws.read(b, ec);
  if (ec) {
    ws.close(1006, ec); // expect: errorshield-ws-close-code
    return;
  }
  if (beast::buffers_to_string(b.data()) == "fault") {
    ws.close(websocket::close_reason(static_cast<websocket::close_code>(kProjectorFault), "fault"), ec);
    return;
  }
  ws.close(websocket::close_code::going_away, ec);
}

void reject_bad_payload(ws_t &ws) {
  ws.async_close(websocket::close_code::bad_payload, [](beast::error_code) {});
}

asio::awaitable<void> listen(tcp::acceptor acc, DomeRegistry &reg) {
  int n = 0;
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    auto d = std::make_shared<DomeLink>(std::move(s), "dome-" + std::to_string(++n));
    reg.add(d);
    d->start();
  }
}

} // namespace dome

int main() {
  asio::io_context ioc;
  dome::DomeRegistry reg;
  asio::co_spawn(ioc, dome::listen(tcp::acceptor(ioc, {tcp::v4(), 7700}), reg), asio::detached);
  asio::steady_timer nightly(ioc, 8h);
  nightly.async_wait([&reg](beast::error_code ec) {
    if (!ec) reg.maintenance_window();
  });
  ioc.run();
}
