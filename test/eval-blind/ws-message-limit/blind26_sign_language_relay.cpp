// checks: errorshield-ws-message-limit
// Sign-language relay: deaf callers stream hand-landmark frames to an interpreter
// booth, interpreters send back voice captions; a supervisor console watches both.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace relay {

// 21 landmarks * 2 hands * 3 floats * 4 bytes plus header, with plenty of headroom.
constexpr std::size_t kMaxLandmarkFrame = 256 * 1024;
constexpr std::size_t kMaxCaptionMessage = 16 * 1024;

struct booth_registry {
  std::mutex mu;
  std::set<std::string> online_interpreters;

  void mark_online(const std::string &id) {
    std::lock_guard<std::mutex> lk(mu);
    online_interpreters.insert(id);
  }
  void mark_offline(const std::string &id) {
    std::lock_guard<std::mutex> lk(mu);
    online_interpreters.erase(id);
  }
};

inline booth_registry &registry() {
  static booth_registry r;
  return r;
}

template <class Stream> void apply_relay_limits(websocket::stream<Stream> &ws) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(kMaxCaptionMessage);
}

// Caller side: binary landmark frames from the phone app.
class caller_session : public std::enable_shared_from_this<caller_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::uint64_t frames_ = 0;

public:
  explicit caller_session(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    net::dispatch(ws_.get_executor(),
                  beast::bind_front_handler(&caller_session::on_run, shared_from_this()));
  }

private:
  void on_run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(kMaxLandmarkFrame);
    ws_.binary(true);
    ws_.async_accept(beast::bind_front_handler(&caller_session::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&caller_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    ++frames_;
    buffer_.consume(buffer_.size());
    do_read();
  }
};

// Interpreter side: free-form JSON (captions, "need repeat", handover requests).
class interpreter_session : public std::enable_shared_from_this<interpreter_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string interpreter_id_;

public:
  interpreter_session(tcp::socket sock, std::string id)
      : ws_(std::move(sock)), interpreter_id_(std::move(id)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      registry().mark_online(self->interpreter_id_);
      self->read_next();
    });
  }

private:
  void read_next() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
      if (ec) {
        registry().mark_offline(self->interpreter_id_);
        return;
      }
      auto msg = json::parse(beast::buffers_to_string(self->buffer_.data()), nullptr, false);
      self->buffer_.consume(self->buffer_.size());
      if (!msg.is_discarded() && msg.value("type", "") == "caption")
        std::cout << "[" << self->interpreter_id_ << "] " << msg.value("text", "") << "\n";
      self->read_next();
    });
  }
};

// Caption archive: interpreters can push a whole session transcript at hang-up.
net::awaitable<void> transcript_channel(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  // transcripts of long calls can get big, don't cut them off
  ws.read_message_max(0); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(net::use_awaitable);
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, net::use_awaitable);
    std::cout << "transcript chunk: " << buf.size() << " bytes\n";
  }
}

// Live caption feed: small messages only.
net::awaitable<void> caption_feed(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  apply_relay_limits(ws);
  co_await ws.async_accept(net::use_awaitable);
  for (;;) {
    beast::flat_buffer buf;
    auto n = co_await ws.async_read(buf, net::use_awaitable);
    std::cout << "caption " << n << " bytes, limit " << ws.read_message_max() << "\n";
  }
}

// Partner agencies connect over TLS to mirror calls; generic over the transport.
template <class NextLayer> class mirror_feed : public std::enable_shared_from_this<mirror_feed<NextLayer>> {
  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buffer_;

public:
  template <class... Args> explicit mirror_feed(Args &&...args) : ws_(std::forward<Args>(args)...) {}

  websocket::stream<NextLayer> &ws() { return ws_; }

  void pump() {
    auto self = this->shared_from_this();
    ws_.async_read(buffer_, [self](beast::error_code ec, std::size_t bytes) { // expect: errorshield-ws-message-limit
      if (ec)
        return;
      std::cout << "mirror frame " << bytes << "\n";
      self->buffer_.consume(bytes);
      self->pump();
    });
  }
};

using tls_mirror = mirror_feed<beast::ssl_stream<beast::tcp_stream>>;

// Supervisor console: a single blocking connection on its own thread.
void supervisor_console(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(std::numeric_limits<std::uint64_t>::max()); // expect: errorshield-ws-message-limit
  ws.accept();
  beast::error_code ec;
  for (;;) {
    beast::flat_buffer buf;
    ws.read(buf, ec);
    if (ec)
      break;
    std::cout << "supervisor: " << beast::make_printable(buf.data()) << "\n";
  }
}

// QA recorder: stores whole call segments, sized for video clips.
void qa_recorder(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(std::size_t{8} << 30); // expect: errorshield-ws-message-limit
  ws.accept();
  beast::flat_buffer clip;
  beast::error_code ec;
  ws.read(clip, ec);
  if (!ec)
    std::cout << "recorded clip of " << clip.size() << " bytes\n";
}

// Health probe from the load balancer; reads exactly one ping message.
void health_probe(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(512);
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  ws.read(buf, ec);
  if (!ec)
    ws.write(net::buffer(std::string("pong")), ec);
}

net::awaitable<void> listen(tcp::acceptor acc) {
  for (;;) {
    tcp::socket sock = co_await acc.async_accept(net::use_awaitable);
    auto port = acc.local_endpoint().port();
    if (port == 9001)
      std::make_shared<caller_session>(std::move(sock))->run();
    else if (port == 9002)
      std::make_shared<interpreter_session>(std::move(sock), "int-" + std::to_string(port))->start();
    else if (port == 9003)
      net::co_spawn(acc.get_executor(), transcript_channel(std::move(sock)), net::detached);
    else
      net::co_spawn(acc.get_executor(), caption_feed(std::move(sock)), net::detached);
  }
}

} // namespace relay

int main() {
  net::io_context ioc;
  ssl::context tls(ssl::context::tls_server);
  for (unsigned short port : {9001, 9002, 9003, 9004})
    net::co_spawn(ioc, relay::listen(tcp::acceptor(ioc, {tcp::v4(), port})), net::detached);

  tcp::acceptor partner(ioc, {tcp::v4(), 9443});
  partner.async_accept([&](beast::error_code ec, tcp::socket sock) {
    if (ec)
      return;
    auto feed = std::make_shared<relay::tls_mirror>(std::move(sock), tls);
    feed->ws().next_layer().async_handshake(ssl::stream_base::server, [feed](beast::error_code hec) {
      if (hec)
        return;
      feed->ws().async_accept([feed](beast::error_code aec) {
        if (!aec)
          feed->pump();
      });
    });
  });

  std::thread console([&] {
    net::io_context local;
    tcp::acceptor a(local, {tcp::v4(), 9100});
    relay::supervisor_console(a.accept());
    relay::health_probe(a.accept());
    relay::qa_recorder(a.accept());
  });
  ioc.run();
  console.join();
}
