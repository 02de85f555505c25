// checks: errorshield-unchecked-read
// Lobby gateway: websocket sessions for game clients, a TLS admin channel and
// a legacy raw-socket ping listener used by the old launcher.
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

#define GW_LOG(fmt, ...) std::fprintf(stderr, "[gateway] " fmt "\n", ##__VA_ARGS__)

namespace gw {

struct GatewayConfig {
  std::size_t max_message = 64 * 1024;
  bool log_frames = false;
};

inline bool fail(beast::error_code ec, const char* what) {
  if (!ec) return false;
  if (ec != websocket::error::closed && ec != asio::error::operation_aborted)
    GW_LOG("%s: %s", what, ec.message().c_str());
  return true;
}

class LobbySession : public std::enable_shared_from_this<LobbySession> {
 public:
  LobbySession(tcp::socket sock, GatewayConfig cfg) : ws_(std::move(sock)), cfg_(cfg) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(cfg_.max_message);
  }

  // Error handled in the completion member function on_read().
  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&LobbySession::on_read, shared_from_this()));
  }

  // Variant used by the spectator feed: handler never looks at ec.
  void do_read_spectator() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
      self->dispatch(beast::buffers_to_string(self->buffer_.data()));
      self->buffer_.consume(self->buffer_.size());
      self->do_read_spectator();
    });
  }

  void do_read_lambda() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (fail(ec, "lobby read")) return;
      self->dispatch(beast::buffers_to_string(self->buffer_.data()).substr(0, n));
      self->buffer_.consume(n);
      self->do_read_lambda();
    });
  }

 private:
  void on_read(beast::error_code ec, std::size_t bytes) {
    if (fail(ec, "lobby read")) return;
    if (cfg_.log_frames) GW_LOG("frame %zu bytes", bytes);
    dispatch(beast::buffers_to_string(buffer_.data()));
    buffer_.consume(buffer_.size());
    do_read();
  }

  void dispatch(const std::string& text) {
    auto msg = json::parse(text, nullptr, false);
    if (!msg.is_discarded()) GW_LOG("op=%s", msg.value("op", "?").c_str());
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  GatewayConfig cfg_;
};

// Blocking reader used by the replay bot (runs on its own thread).
void replay_bot_loop(websocket::stream<tcp::socket>& ws) {
  beast::flat_buffer buf;
  for (;;) {
    beast::error_code ec;
    ws.read(buf, ec); // expect: errorshield-unchecked-read
    GW_LOG("bot got %zu bytes", buf.size());
    buf.consume(buf.size());
  }
}

void replay_bot_loop_checked(websocket::stream<tcp::socket>& ws) {
  beast::flat_buffer buf;
  for (;;) {
    beast::error_code ec;
    const std::size_t n = ws.read(buf, ec);
    if (ec == websocket::error::closed) break;
    if (ec) {
      GW_LOG("bot read: %s", ec.message().c_str());
      break;
    }
    GW_LOG("bot got %zu bytes", n);
    buf.consume(n);
  }
}

// Admin channel over TLS; exceptions carry the read errors.
asio::awaitable<void> admin_channel(websocket::stream<beast::ssl_stream<beast::tcp_stream>>& ws) {
  beast::flat_buffer buf;
  try {
    for (;;) {
      co_await ws.async_read(buf, asio::use_awaitable);
      GW_LOG("admin: %s", beast::buffers_to_string(buf.data()).c_str());
      buf.consume(buf.size());
    }
  } catch (const beast::system_error& e) {
    GW_LOG("admin channel closed: %s", e.code().message().c_str());
  }
}

asio::awaitable<void> telemetry_tap(websocket::stream<beast::tcp_stream>& ws) {
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, asio::experimental::as_tuple(asio::use_awaitable)); // expect: errorshield-unchecked-read
    GW_LOG("tap frame (%zu bytes)", buf.size());
    buf.consume(buf.size());
  }
}

asio::awaitable<void> telemetry_tap_checked(websocket::stream<beast::tcp_stream>& ws) {
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    GW_LOG("tap frame (%zu bytes)", n);
    buf.consume(n);
  }
}

// Stackful variant used by the party-chat relay.
void chat_relay(websocket::stream<beast::tcp_stream>& ws, asio::yield_context yield) {
  beast::flat_buffer buf;
  beast::error_code ec;
  while (true) {
    ws.async_read(buf, yield[ec]);
    if (ec) {
      fail(ec, "chat relay");
      return;
    }
    buf.consume(buf.size());
  }
}

class AdminConsole {
 public:
  explicit AdminConsole(asio::any_io_executor ex) : sock_(ex) {}

  void start() {
    sock_.async_read_some(asio::buffer(line_), [this](beast::error_code ec, std::size_t) { // expect: errorshield-unchecked-read
      handle_line(std::string(line_.data()));
      start();
    });
  }

  void start_checked() {
    sock_.async_read_some(asio::buffer(line_), [this](beast::error_code ec, std::size_t n) {
      if (ec) return;
      handle_line(std::string(line_.data(), n));
      start_checked();
    });
  }

 private:
  void handle_line(const std::string& l) { GW_LOG("console: %s", l.c_str()); }

  tcp::socket sock_;
  std::array<char, 512> line_{};
};

// Legacy launcher pings: fixed 8-byte header + payload.
struct PingHeader {
  std::uint32_t magic;
  std::uint32_t len;
};

int legacy_ping(int fd) {
  PingHeader hdr{};
  ::recv(fd, &hdr, sizeof hdr, MSG_WAITALL); // expect: errorshield-unchecked-read
  return hdr.magic == 0x504E4731u ? static_cast<int>(hdr.len) : -1;
}

int legacy_ping_checked(int fd) {
  PingHeader hdr{};
  const ssize_t got = ::recv(fd, &hdr, sizeof hdr, MSG_WAITALL);
  if (got != static_cast<ssize_t>(sizeof hdr)) return -1;
  return hdr.magic == 0x504E4731u ? static_cast<int>(hdr.len) : -1;
}

std::string drain_fd(int fd) {
  std::string out;
  char chunk[256];
  ssize_t n;
  while ((n = ::read(fd, chunk, sizeof chunk)) > 0) out.append(chunk, static_cast<std::size_t>(n));
  return out;
}

}  // namespace gw

int main() {
  asio::io_context ioc;
  gw::AdminConsole console(ioc.get_executor());
  (void)console;
  return 0;
}
