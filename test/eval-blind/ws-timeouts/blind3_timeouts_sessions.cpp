// checks: errorshield-ws-timeouts
// Telemetry ingest: several WebSocket session flavours.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace ingest {

void fail(beast::error_code ec, char const* what) {
  std::cerr << what << ": " << ec.message() << "\n";
}

// Shared option setup for all server-side sessions.
template <class Stream>
void apply_server_options(websocket::stream<Stream>& ws) {
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::server, "ingest/1.4");
  }));
  ws.read_message_max(1 << 20);
}

// ---------------------------------------------------------------------------
// Session that configures nothing but the decorator.

class metrics_session : public std::enable_shared_from_this<metrics_session> {
  websocket::stream<beast::tcp_stream> ws_; // expect: errorshield-ws-timeouts
  beast::flat_buffer buffer_;

public:
  explicit metrics_session(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run() {
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "ingest-metrics/1.4");
    }));
    ws_.async_accept(beast::bind_front_handler(&metrics_session::on_accept,
                                               shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return fail(ec, "accept");
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&metrics_session::on_read,
                                                      shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return fail(ec, "read");
    buffer_.consume(buffer_.size());
    do_read();
  }
};

// ---------------------------------------------------------------------------
// Session that uses the shared helper.

class events_session : public std::enable_shared_from_this<events_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit events_session(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run() {
    apply_server_options(ws_);
    ws_.async_accept(beast::bind_front_handler(&events_session::on_accept,
                                               shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return fail(ec, "accept");
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code, std::size_t) {});
  }
};

// ---------------------------------------------------------------------------
// Session that sets explicit values in the constructor.

class logs_session : public std::enable_shared_from_this<logs_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit logs_session(tcp::socket&& socket) : ws_(std::move(socket)) {
    websocket::stream_base::timeout opt{
        std::chrono::seconds(20), // handshake
        std::chrono::seconds(90), // idle
        true                      // keep-alive pings
    };
    ws_.set_option(opt);
  }

  void run() {
    ws_.async_accept([self = shared_from_this()](beast::error_code) {});
  }
};

// ---------------------------------------------------------------------------
// Session whose author explicitly disabled the idle timeout.

class traces_session : public std::enable_shared_from_this<traces_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit traces_session(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run() {
    websocket::stream_base::timeout opt{};
    opt.handshake_timeout = 30s;
    opt.idle_timeout = websocket::stream_base::none();
    opt.keep_alive_pings = false;
    ws_.set_option(opt); // expect: errorshield-ws-timeouts
    ws_.async_accept([self = shared_from_this()](beast::error_code) {});
  }
};

// ---------------------------------------------------------------------------
// Session that starts from suggested() and tweaks the idle interval.

class alerts_session : public std::enable_shared_from_this<alerts_session> {
  websocket::stream<beast::tcp_stream> ws_;

public:
  explicit alerts_session(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run() {
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
    opt.idle_timeout = 45s;
    ws_.set_option(opt);
    ws_.async_accept([self = shared_from_this()](beast::error_code) {});
  }
};

// ---------------------------------------------------------------------------
// Session that implements its own heartbeat with a steady_timer.

class heartbeat_session : public std::enable_shared_from_this<heartbeat_session> {
  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer ping_timer_;
  bool pong_seen_ = true;
  beast::flat_buffer buffer_;

public:
  explicit heartbeat_session(tcp::socket&& socket)
      : ws_(std::move(socket)), ping_timer_(ws_.get_executor()) {}

  void run() {
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong)
        pong_seen_ = true;
    });
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) {
        self->schedule_ping();
        self->do_read();
      }
    });
  }

  void schedule_ping() {
    ping_timer_.expires_after(15s);
    ping_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      if (!self->pong_seen_) {
        beast::get_lowest_layer(self->ws_).close();
        return;
      }
      self->pong_seen_ = false;
      self->ws_.async_ping({}, [self](beast::error_code ec) {
        if (!ec)
          self->schedule_ping();
      });
    });
  }

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->ping_timer_.cancel();
        return;
      }
      self->buffer_.consume(self->buffer_.size());
      self->do_read();
    });
  }
};

// ---------------------------------------------------------------------------
// Outbound client to the aggregation tier.

void push_to_aggregator(net::io_context& ioc, std::string const& host) {
  tcp::resolver resolver{ioc};
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::get_lowest_layer(ws).connect(resolver.resolve(host, "9443"));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws.handshake(host, "/aggregate");
  ws.write(net::buffer(std::string("{\"hello\":1}")));
  ws.close(websocket::close_code::normal);
}

} // namespace ingest

int main() {
  net::io_context ioc;
  tcp::acceptor acc{ioc, {tcp::v4(), 7000}};
  for (int i = 0;; ++i) {
    tcp::socket s = acc.accept();
    switch (i % 6) {
    case 0: std::make_shared<ingest::metrics_session>(std::move(s))->run(); break;
    case 1: std::make_shared<ingest::events_session>(std::move(s))->run(); break;
    case 2: std::make_shared<ingest::logs_session>(std::move(s))->run(); break;
    case 3: std::make_shared<ingest::traces_session>(std::move(s))->run(); break;
    case 4: std::make_shared<ingest::alerts_session>(std::move(s))->run(); break;
    default: std::make_shared<ingest::heartbeat_session>(std::move(s))->run(); break;
    }
  }
}
