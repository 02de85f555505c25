// checks: errorshield-ws-message-limit
// Trading-desk chat, chat-multi shape: http_session upgrades to
// websocket_session, a shared_state fans messages out to every session.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstddef>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace chat {

class websocket_session;

class shared_state {
  std::string const doc_root_;
  std::mutex mutex_;
  std::unordered_set<websocket_session *> sessions_;

public:
  explicit shared_state(std::string doc_root) : doc_root_(std::move(doc_root)) {}
  void join(websocket_session *s) {
    std::lock_guard<std::mutex> lock(mutex_);
    sessions_.insert(s);
  }
  void leave(websocket_session *s) {
    std::lock_guard<std::mutex> lock(mutex_);
    sessions_.erase(s);
  }
  void send(std::string message);
};

// Room messages: the classic chat-multi session, which never sets a limit.
class websocket_session : public std::enable_shared_from_this<websocket_session> {
  beast::flat_buffer buffer_;
  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<shared_state> state_;
  std::vector<std::shared_ptr<std::string const>> queue_;

public:
  websocket_session(tcp::socket &&socket, std::shared_ptr<shared_state> const &state)
      : ws_(std::move(socket)), state_(state) {}
  ~websocket_session() { state_->leave(this); }

  template <class Body, class Allocator>
  void run(http::request<Body, http::basic_fields<Allocator>> req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
      res.set(http::field::server, std::string(BOOST_BEAST_VERSION_STRING) + " desk-chat");
    }));
    ws_.async_accept(req, beast::bind_front_handler(&websocket_session::on_accept, shared_from_this())); // expect: errorshield-ws-message-limit
  }

  void send(std::shared_ptr<std::string const> const &ss) {
    queue_.push_back(ss);
    if (queue_.size() > 1)
      return;
    ws_.async_write(net::buffer(*queue_.front()),
                    beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    state_->join(this);
    ws_.async_read(buffer_, beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    state_->send(beast::buffers_to_string(buffer_.data()));
    buffer_.consume(buffer_.size());
    ws_.async_read(buffer_, beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
  }
  void on_write(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    queue_.erase(queue_.begin());
    if (!queue_.empty())
      ws_.async_write(net::buffer(*queue_.front()),
                      beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
  }
};

void shared_state::send(std::string message) {
  auto const ss = std::make_shared<std::string const>(std::move(message));
  std::vector<std::weak_ptr<websocket_session>> v;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto *p : sessions_)
      v.emplace_back(p->weak_from_this());
  }
  for (auto const &wp : v)
    if (auto sp = wp.lock())
      sp->send(ss);
}

// Order-ticket channel: explicit, sane limit (correct).
class ticket_session : public std::enable_shared_from_this<ticket_session> {
  websocket::stream<beast::tcp_stream> ws_;

public:
  explicit ticket_session(tcp::socket &&s) : ws_(std::move(s)) {}

  template <class Body, class Allocator>
  void run(http::request<Body, http::basic_fields<Allocator>> req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code) {});
  }
};

// File-share channel: "unlimited" because attachments can be large.
class fileshare_session : public std::enable_shared_from_this<fileshare_session> {
  websocket::stream<beast::tcp_stream> ws_;

public:
  explicit fileshare_session(tcp::socket &&s) : ws_(std::move(s)) {}

  template <class Body, class Allocator>
  void run(http::request<Body, http::basic_fields<Allocator>> req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(0); // expect: errorshield-ws-message-limit
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code) {});
  }
};

// Screen-share channel: "effectively no limit".
class screenshare_session : public std::enable_shared_from_this<screenshare_session> {
  websocket::stream<beast::tcp_stream> ws_;

public:
  explicit screenshare_session(tcp::socket &&s) : ws_(std::move(s)) {}

  template <class Body, class Allocator>
  void run(http::request<Body, http::basic_fields<Allocator>> req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(std::numeric_limits<std::uint64_t>::max()); // expect: errorshield-ws-message-limit
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code) {});
  }
};

class http_session : public std::enable_shared_from_this<http_session> {
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<shared_state> state_;
  http::request<http::string_body> req_;

public:
  http_session(tcp::socket &&s, std::shared_ptr<shared_state> const &st) : stream_(std::move(s)), state_(st) {}

  void run() {
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_, beast::bind_front_handler(&http_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec || !websocket::is_upgrade(req_))
      return;
    if (req_.target() == "/tickets")
      std::make_shared<ticket_session>(stream_.release_socket())->run(std::move(req_));
    else if (req_.target() == "/files")
      std::make_shared<fileshare_session>(stream_.release_socket())->run(std::move(req_));
    else if (req_.target() == "/screen")
      std::make_shared<screenshare_session>(stream_.release_socket())->run(std::move(req_));
    else
      std::make_shared<websocket_session>(stream_.release_socket(), state_)->run(std::move(req_));
  }
};

// Desk app connecting to the exchange's drop-copy (client): server-controlled.
void drop_copy_client(net::io_context &ioc, std::string const &host) {
  websocket::stream<beast::tcp_stream> ws{ioc};
  tcp::resolver r{ioc};
  beast::get_lowest_layer(ws).connect(r.resolve(host, "443"));
  ws.handshake(host, "/dropcopy");
  beast::flat_buffer b;
  ws.read(b);
}

} // namespace chat
