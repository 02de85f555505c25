// checks: errorshield-ws-timeouts
// Collaborative whiteboard server, advanced_server shape: http_session
// upgrades to websocket_session. Several session kinds, configured differently.
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

namespace board {

struct server_config {
  std::chrono::seconds handshake_timeout{15};
  std::chrono::seconds idle_timeout{120};
  bool keep_alive = true;
};

void fail(beast::error_code ec, char const *what) { std::cerr << what << ": " << ec.message() << "\n"; }

// Helper used by the drawing session: sets Beast's suggested server timeouts.
template <class Stream> void configure_server_stream(websocket::stream<Stream> &ws) {
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type &res) { res.set(http::field::server, "whiteboard"); }));
}

websocket::stream_base::timeout make_timeouts(server_config const &cfg) {
  websocket::stream_base::timeout t{};
  t.handshake_timeout = cfg.handshake_timeout;
  t.idle_timeout = cfg.idle_timeout;
  t.keep_alive_pings = cfg.keep_alive;
  return t;
}

// --- drawing session: configured in a helper (correct) --------------------
class drawing_session : public std::enable_shared_from_this<drawing_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit drawing_session(tcp::socket &&s) : ws_(std::move(s)) {}

  template <class Body, class Allocator>
  void run(http::request<Body, http::basic_fields<Allocator>> req) {
    configure_server_stream(ws_);
    ws_.async_accept(req, beast::bind_front_handler(&drawing_session::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return fail(ec, "accept");
    ws_.async_read(buffer_, beast::bind_front_handler(&drawing_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return fail(ec, "read");
    buffer_.consume(buffer_.size());
  }
};

// --- cursor session: timeouts from the config struct (correct) -------------
class cursor_session : public std::enable_shared_from_this<cursor_session> {
  websocket::stream<beast::tcp_stream> ws_;
  server_config cfg_;

public:
  cursor_session(tcp::socket &&s, server_config cfg) : ws_(std::move(s)), cfg_(cfg) {}

  template <class Body, class Allocator>
  void run(http::request<Body, http::basic_fields<Allocator>> req) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(make_timeouts(cfg_));
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec)
        fail(ec, "cursor accept");
    });
  }
};

// --- comments session: forgot the websocket timeout entirely ---------------
class comments_session : public std::enable_shared_from_this<comments_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit comments_session(tcp::socket &&s) : ws_(std::move(s)) {}

  template <class Body, class Allocator>
  void run(http::request<Body, http::basic_fields<Allocator>> req) {
    // Turn off the HTTP-phase timeout... and never replace it with anything.
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type &res) { res.set(http::field::server, "whiteboard"); }));
    ws_.async_accept(req, beast::bind_front_handler(&comments_session::on_accept, shared_from_this())); // expect: errorshield-ws-timeouts
  }

  void on_accept(beast::error_code ec) {
    if (ec)
      return fail(ec, "accept");
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code, std::size_t) {});
  }
};

// --- export session: copy-pasted the client's suggested timeouts -----------
class export_session : public std::enable_shared_from_this<export_session> {
  websocket::stream<beast::tcp_stream> ws_;

public:
  explicit export_session(tcp::socket &&s) : ws_(std::move(s)) {}

  template <class Body, class Allocator>
  void run(http::request<Body, http::basic_fields<Allocator>> req) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code) {});
  }
};

// --- history session: explicit struct, idle disabled -----------------------
class history_session : public std::enable_shared_from_this<history_session> {
  websocket::stream<beast::tcp_stream> ws_;

public:
  explicit history_session(tcp::socket &&s) : ws_(std::move(s)) {}

  template <class Body, class Allocator>
  void run(http::request<Body, http::basic_fields<Allocator>> req) {
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout opt{};
    opt.handshake_timeout = 20s;
    opt.idle_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
    opt.keep_alive_pings = false;
    ws_.set_option(opt);
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code) {});
  }
};

// --- http_session: dispatches upgrades by target ---------------------------
class http_session : public std::enable_shared_from_this<http_session> {
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  server_config cfg_;

public:
  http_session(tcp::socket &&s, server_config cfg) : stream_(std::move(s)), cfg_(cfg) {}

  void run() {
    stream_.expires_after(30s);
    http::async_read(stream_, buffer_, req_,
                     beast::bind_front_handler(&http_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return fail(ec, "read");
    if (!websocket::is_upgrade(req_))
      return;
    auto target = req_.target();
    if (target == "/draw")
      std::make_shared<drawing_session>(stream_.release_socket())->run(std::move(req_));
    else if (target == "/cursor")
      std::make_shared<cursor_session>(stream_.release_socket(), cfg_)->run(std::move(req_));
    else if (target == "/comments")
      std::make_shared<comments_session>(stream_.release_socket())->run(std::move(req_));
    else if (target == "/export")
      std::make_shared<export_session>(stream_.release_socket())->run(std::move(req_));
    else
      std::make_shared<history_session>(stream_.release_socket())->run(std::move(req_));
  }
};

// --- outbound: the board syncs with a peer region as a client (no idle
// timeout needed on our side; the client role suggestion is fine) ----------
void sync_with_peer(net::io_context &ioc, std::string const &host) {
  websocket::stream<beast::tcp_stream> ws{ioc};
  tcp::resolver r{ioc};
  beast::get_lowest_layer(ws).connect(r.resolve(host, "443"));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws.handshake(host, "/sync");
  ws.write(net::buffer(std::string("hello")));
  ws.close(websocket::close_code::normal);
}

} // namespace board
