// checks: errorshield-ws-timeouts
// Mobile push fan-out server: callback-style sessions built on beast::tcp_stream.
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

static void fail(beast::error_code ec, char const* what) {
  std::fprintf(stderr, "%s: %s\n", what, ec.message().c_str());
}

struct PushConfig {
  std::chrono::seconds handshake{15};
  std::chrono::seconds idle{90};
  bool pings = true;
};

// Validates operator-supplied settings. Only *inspects* timeout values.
bool config_is_sane(websocket::stream_base::timeout const& t) {
  if (t.handshake_timeout == websocket::stream_base::none()) return false;
  if (t.idle_timeout == websocket::stream_base::none()) return false;
  return t.idle_timeout > 5s;
}

// ---------------------------------------------------------------------------
// Device session: timeouts configured in run(), handshake happens in on_run().
class DeviceSession : public std::enable_shared_from_this<DeviceSession> {
public:
  explicit DeviceSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void run() {
    net::dispatch(ws_.get_executor(),
                  beast::bind_front_handler(&DeviceSession::on_run, shared_from_this()));
  }

private:
  void on_run() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "push-fanout");
    }));
    do_accept();
  }

  void do_accept() {
    ws_.async_accept(beast::bind_front_handler(&DeviceSession::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "device accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return fail(ec, "device read");
      self->buf_.consume(self->buf_.size());
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// ---------------------------------------------------------------------------
// Topic subscriber session: decorator set, but no websocket timeout at all, so
// a half-open phone keeps its slot forever.
class TopicSession : public std::enable_shared_from_this<TopicSession> {
public:
  explicit TopicSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void start() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "push-fanout");
    }));
    ws_.async_accept( // expect: errorshield-ws-timeouts
        [self = shared_from_this()](beast::error_code ec) {
          if (ec) return fail(ec, "topic accept");
          self->read_loop();
        });
  }

private:
  void read_loop() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->read_loop();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

// ---------------------------------------------------------------------------
// Silent-push session: starts from the suggested values, then tightens idle.
class SilentSession : public std::enable_shared_from_this<SilentSession> {
public:
  SilentSession(tcp::socket&& s, PushConfig cfg) : ws_(std::move(s)), cfg_(cfg) {}

  void start() {
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.idle_timeout = cfg_.idle;
    opt.keep_alive_pings = cfg_.pings;
    ws_.set_option(opt);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) fail(ec, "silent accept");
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
  PushConfig cfg_;
};

// ---------------------------------------------------------------------------
// Long-poll replacement: someone "fixed" disconnects of background apps by
// turning the idle timer off entirely.
class BackgroundSession : public std::enable_shared_from_this<BackgroundSession> {
public:
  explicit BackgroundSession(tcp::socket&& s) : ws_(std::move(s)) {}

  void start() {
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
    opt.keep_alive_pings = false;
    ws_.set_option(opt);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) fail(ec, "background accept");
    });
  }

private:
  websocket::stream<beast::tcp_stream> ws_;
};

// ---------------------------------------------------------------------------
// Synchronous health-probe endpoint used by the load balancer.
void serve_probe(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws{std::move(sock)};
  ws.set_option(websocket::stream_base::timeout{
      5s,  // handshake
      20s, // idle
      false});
  beast::error_code ec;
  ws.accept(ec);
  if (ec) return fail(ec, "probe accept");
  ws.text(true);
  ws.write(net::buffer(std::string("ok")), ec);
}

// Bulk import endpoint: huge uploads take minutes, so the handshake limit was
// removed instead of the idle limit.
void serve_bulk_import(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws{std::move(sock)};
  ws.set_option(websocket::stream_base::timeout{websocket::stream_base::none(), 300s, true}); // expect: errorshield-ws-timeouts
  beast::error_code ec;
  ws.accept(ec);
  beast::flat_buffer buf;
  while (!ec) ws.read(buf, ec);
}

// Stats tap for ops tooling: plain synchronous loop, nothing configured.
void serve_stats_tap(tcp::socket sock) {
  websocket::stream<tcp::socket> ws{std::move(sock)};
  beast::error_code ec;
  ws.accept(ec); // expect: errorshield-ws-timeouts
  beast::flat_buffer buf;
  for (;;) {
    ws.read(buf, ec);
    if (ec) break;
    buf.consume(buf.size());
  }
}

// Config-driven endpoint: values come from PushConfig, validated before use.
void serve_configured(tcp::socket sock, PushConfig const& cfg) {
  websocket::stream_base::timeout t{};
  t.handshake_timeout = cfg.handshake;
  t.idle_timeout = cfg.idle;
  t.keep_alive_pings = cfg.pings;
  if (!config_is_sane(t)) t = websocket::stream_base::timeout::suggested(beast::role_type::server);

  websocket::stream<beast::tcp_stream> ws{std::move(sock)};
  ws.set_option(t);
  beast::error_code ec;
  ws.accept(ec);
}

// ---------------------------------------------------------------------------
class Listener : public std::enable_shared_from_this<Listener> {
public:
  Listener(net::io_context& ioc, tcp::endpoint ep) : ioc_(ioc), acc_(ioc, ep) {}

  void run() { accept_next(); }

private:
  void accept_next() {
    acc_.async_accept(net::make_strand(ioc_),
                      [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
                        if (!ec) {
                          if (++self->n_ % 3 == 0)
                            std::make_shared<TopicSession>(std::move(s))->start();
                          else if (self->n_ % 3 == 1)
                            std::make_shared<DeviceSession>(std::move(s))->run();
                          else
                            std::make_shared<SilentSession>(std::move(s), PushConfig{})->start();
                        }
                        self->accept_next();
                      });
  }

  net::io_context& ioc_;
  tcp::acceptor acc_;
  unsigned n_ = 0;
};

int main() {
  net::io_context ioc;
  std::make_shared<Listener>(ioc, tcp::endpoint{tcp::v4(), 7000})->run();
  ioc.run();
}
