// checks: errorshield-ws-message-limit
// Photo booth upload hub: kiosks push captured shots over WebSocket, the
// event gallery screens subscribe to new shots, staff use an admin socket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace booth {

constexpr std::size_t kMaxPhotoBytes = 12 * 1024 * 1024; // 24MP JPEG, high quality
constexpr std::size_t kMaxThumbBytes = 2 * 1024 * 1024;

struct PhotoStore {
  std::vector<std::vector<std::uint8_t>> shots;
  void add(const std::uint8_t *p, std::size_t n) { shots.emplace_back(p, p + n); }
};

// ---------------------------------------------------------------------------
// Kiosk uploads: one session per booth camera.
class UploadSession : public std::enable_shared_from_this<UploadSession> {
public:
  UploadSession(tcp::socket s, PhotoStore &store)
      : ws_(std::move(s)), store_(store) {}

  void run() {
    ws_.binary(true);
    ws_.async_accept(beast::bind_front_handler(&UploadSession::on_accept,
                                               shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec) {
      std::cerr << "kiosk accept: " << ec.message() << "\n";
      return;
    }
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&UploadSession::on_read, shared_from_this())); // expect: errorshield-ws-message-limit
  }

  void on_read(beast::error_code ec, std::size_t n) {
    if (ec)
      return;
    auto data = buffer_.cdata();
    store_.add(static_cast<const std::uint8_t *>(data.data()), n);
    buffer_.consume(n);
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  PhotoStore &store_;
};

// ---------------------------------------------------------------------------
// Thumbnail feed from the print station; small previews only.
class ThumbnailSession : public std::enable_shared_from_this<ThumbnailSession> {
public:
  explicit ThumbnailSession(tcp::socket s) : ws_(std::move(s)) {}

  void run() {
    ws_.read_message_max(kMaxThumbBytes);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

private:
  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec)
        return;
      self->thumbs_received_++;
      self->buffer_.consume(n);
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::size_t thumbs_received_ = 0;
};

// ---------------------------------------------------------------------------
// Gallery screens: they send small "like"/"skip" votes back.
asio::awaitable<void> gallery_screen(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  // screens may echo back full-resolution favourites, don't cut them off
  ws.read_message_max(0); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(asio::use_awaitable);

  beast::flat_buffer buf;
  for (;;) {
    std::size_t n = co_await ws.async_read(buf, asio::use_awaitable);
    auto vote = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(n);
    if (vote.is_discarded())
      continue;
    std::cout << "vote " << vote.value("shot", 0) << " " << vote.value("kind", "") << "\n";
  }
}

// Slideshow controller: only sends JSON commands, bounded.
asio::awaitable<void> slideshow_controller(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(kMaxPhotoBytes);
  co_await ws.async_accept(asio::use_awaitable);

  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    std::string cmd = beast::buffers_to_string(buf.data());
    buf.clear();
    if (cmd == "next" || cmd == "prev")
      std::cout << "slideshow " << cmd << "\n";
  }
}

// ---------------------------------------------------------------------------
// Staff admin socket (blocking, own thread in the tooling process).
template <class Stream>
std::string read_command(websocket::stream<Stream> &ws, beast::flat_buffer &buf) {
  buf.clear();
  ws.read(buf); // expect: errorshield-ws-message-limit
  return beast::buffers_to_string(buf.data());
}

void admin_console(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    std::string cmd = read_command(ws, buf);
    if (cmd == "quit")
      break;
    ws.text(true);
    ws.write(asio::buffer("ok " + cmd), ec);
    if (ec)
      break;
  }
}

// Bulk import of a whole memory card from the DSLR tether station.
void tether_import(tcp::socket sock, PhotoStore &store) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(std::uint64_t{8} * 1024 * 1024 * 1024); // expect: errorshield-ws-message-limit
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  while (!ec) {
    std::size_t n = ws.read(buf, ec);
    if (ec)
      break;
    store.add(static_cast<const std::uint8_t *>(buf.cdata().data()), n);
    buf.consume(n);
  }
}

// Sets the per-role limits for QR-code scanner stations.
template <class Stream>
void apply_scanner_limits(websocket::stream<Stream> &ws) {
  ws.read_message_max(4 * 1024);
  ws.auto_fragment(false);
}

void qr_scanner(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  apply_scanner_limits(ws);
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  ws.read(buf, ec);
  if (!ec)
    std::cout << "guest code " << beast::buffers_to_string(buf.data()) << "\n";
}

// Pushes finished strips to the cloud print service; never reads.
void push_to_print_service(asio::io_context &ioc, const std::vector<std::uint8_t> &strip) {
  tcp::resolver resolver(ioc);
  websocket::stream<tcp::socket> ws(ioc);
  auto results = resolver.resolve("print.local", "9001");
  asio::connect(ws.next_layer(), results);
  ws.handshake("print.local", "/strips");
  ws.binary(true);
  ws.write(asio::buffer(strip));
  ws.close(websocket::close_code::normal);
}

// Plain HTTP health check on the same port range; not a WebSocket.
void health_probe(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request_parser<http::string_body> parser;
  parser.body_limit(1024);
  beast::error_code ec;
  http::read(sock, buf, parser, ec);
  if (ec)
    return;
  http::response<http::string_body> res{http::status::ok, 11};
  res.body() = "up";
  res.prepare_payload();
  http::write(sock, res, ec);
}

} // namespace booth

int main() {
  asio::io_context ioc;
  booth::PhotoStore store;
  tcp::acceptor kiosks(ioc, {tcp::v4(), 8100});
  tcp::acceptor screens(ioc, {tcp::v4(), 8101});

  std::function<void()> accept_kiosk = [&] {
    kiosks.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec)
        std::make_shared<booth::UploadSession>(std::move(s), store)->run();
      accept_kiosk();
    });
  };
  accept_kiosk();

  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        for (;;) {
          auto s = co_await screens.async_accept(asio::use_awaitable);
          asio::co_spawn(ioc, booth::gallery_screen(std::move(s)), asio::detached);
        }
      },
      asio::detached);

  ioc.run();
}
