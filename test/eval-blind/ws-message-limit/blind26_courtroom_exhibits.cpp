// checks: errorshield-ws-message-limit
// Courtroom exhibit service: clerks and counsel push exhibit metadata and
// annotations over WebSocket; the bench viewer streams exhibit pages.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <utility>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace exhibits {

constexpr std::size_t kAnnotationMax = 64 * 1024;
constexpr std::size_t kPageMax = 8 * 1024 * 1024;

struct ExhibitStore {
  void record(const std::string& case_no, const json& meta) {
    std::cout << "exhibit for " << case_no << ": " << meta.dump() << "\n";
  }
};

// Clerk desk: registers new exhibits. One session per clerk terminal.
class ClerkSession : public std::enable_shared_from_this<ClerkSession> {
 public:
  ClerkSession(tcp::socket sock, ExhibitStore& store)
      : ws_(std::move(sock)), store_(store) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&ClerkSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&ClerkSession::on_read, shared_from_this())); // expect: errorshield-ws-message-limit
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    auto meta = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (!meta.is_discarded() && meta.contains("case"))
      store_.record(meta["case"].get<std::string>(), meta);
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  ExhibitStore& store_;
};

// Counsel annotations are short text notes; cap them tightly.
class AnnotationSession : public std::enable_shared_from_this<AnnotationSession> {
 public:
  explicit AnnotationSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void start() {
    ws_.read_message_max(kAnnotationMax);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }

 private:
  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->notes_.push_back(beast::buffers_to_string(self->buffer_.data()));
      self->buffer_.consume(self->buffer_.size());
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> notes_;
};

// Scanned page uploads from the evidence room scanner.
net::awaitable<void> scanner_upload(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  // scans can be big, let them through
  ws.read_message_max(std::numeric_limits<std::uint64_t>::max()); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    std::size_t n = co_await ws.async_read(buf, net::use_awaitable);
    std::cout << "page received, " << n << " bytes\n";
    buf.consume(n);
  }
}

// Bench viewer: judge's tablet requests page thumbnails.
net::awaitable<void> bench_viewer(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(kPageMax);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    auto req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (req.is_discarded()) continue;
    ws.text(true);
    co_await ws.async_write(net::buffer(req.dump()), net::use_awaitable);
  }
}

// Legacy court-reporter bridge, runs on its own thread with blocking I/O.
void reporter_bridge(tcp::socket sock) {
  try {
    websocket::stream<tcp::socket> ws(std::move(sock));
    // let the transcript feed decide how much it sends
    ws.read_message_max(0); // expect: errorshield-ws-message-limit
    ws.accept();
    beast::flat_buffer buf;
    for (;;) {
      ws.read(buf);
      std::cout << beast::make_printable(buf.data()) << "\n";
      buf.consume(buf.size());
    }
  } catch (const beast::system_error& e) {
    if (e.code() != websocket::error::closed) std::cerr << "reporter: " << e.what() << "\n";
  }
}

// Sealed-exhibit audit feed; the buffer itself caps what a message can grow to.
void sealed_audit(tcp::socket sock) {
  beast::error_code ec;
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.accept(ec);
  if (ec) return;
  beast::flat_buffer buf(32 * 1024);
  while (!ec) {
    ws.read(buf, ec);
    if (ec) break;
    std::cout << "audit: " << buf.size() << " bytes\n";
    buf.consume(buf.size());
  }
}

// Transcript sync for remote jurors; generic over plain and TLS streams.
template <class NextLayer>
class TranscriptSync : public std::enable_shared_from_this<TranscriptSync<NextLayer>> {
 public:
  explicit TranscriptSync(NextLayer next) : ws_(std::move(next)) {}

  void run() {
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->read_next();
    });
  }

 private:
  void read_next() {
    ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t n) { // expect: errorshield-ws-message-limit
      if (ec) return;
      self->buf_.consume(n);
      self->read_next();
    });
  }

  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buf_;
};

void configure_witness_stream(websocket::stream<tcp::socket>& ws) {
  ws.read_message_max(16 * 1024);
  ws.auto_fragment(false);
}

// Witness statements typed in by the stenographer.
void witness_feed(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  configure_witness_stream(ws);
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    ws.read(buf, ec);
    if (ec) return;
    buf.consume(buf.size());
  }
}

// Exhibit photo archive import: administrators raised the cap for 4K photos.
net::awaitable<void> photo_import(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.read_message_max(std::size_t{64} * 1024 * 1024 * 1024); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto n = co_await ws.async_read(buf, net::use_awaitable);
    buf.consume(n);
  }
}

net::awaitable<void> listen(tcp::acceptor acceptor, ExhibitStore& store) {
  for (;;) {
    tcp::socket sock = co_await acceptor.async_accept(net::use_awaitable);
    auto port = acceptor.local_endpoint().port();
    auto ex = acceptor.get_executor();
    switch (port) {
      case 9101: std::make_shared<ClerkSession>(std::move(sock), store)->start(); break;
      case 9102: std::make_shared<AnnotationSession>(std::move(sock))->start(); break;
      case 9103: net::co_spawn(ex, scanner_upload(std::move(sock)), net::detached); break;
      case 9104: net::co_spawn(ex, bench_viewer(std::move(sock)), net::detached); break;
      case 9105: net::co_spawn(ex, photo_import(std::move(sock)), net::detached); break;
      case 9106:
        std::make_shared<TranscriptSync<beast::tcp_stream>>(beast::tcp_stream(std::move(sock)))->run();
        break;
      default: sock.close(); break;
    }
  }
}

}  // namespace exhibits

int main() {
  net::io_context ioc;
  exhibits::ExhibitStore store;
  for (unsigned short port : {9101, 9102, 9103, 9104, 9105, 9106}) {
    tcp::acceptor acc(ioc, {tcp::v4(), port});
    net::co_spawn(ioc, exhibits::listen(std::move(acc), store), net::detached);
  }
  ioc.run();
}
