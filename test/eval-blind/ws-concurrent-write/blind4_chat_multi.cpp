// checks: errorshield-ws-concurrent-write
// Modelled on Beast's example/websocket/server/chat-multi: shared_state
// broadcasts to websocket_sessions; each session has a per-session queue.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
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

class websocket_session;

class shared_state {
  std::string const doc_root_;
  std::mutex mutex_;
  std::unordered_set<websocket_session*> sessions_;

public:
  explicit shared_state(std::string doc_root) : doc_root_(std::move(doc_root)) {}
  void join(websocket_session* session) {
    std::lock_guard<std::mutex> lock(mutex_);
    sessions_.insert(session);
  }
  void leave(websocket_session* session) {
    std::lock_guard<std::mutex> lock(mutex_);
    sessions_.erase(session);
  }
  void send(std::string message);
};

// Correct session: strand + queue, only one async_write in flight.
class websocket_session : public std::enable_shared_from_this<websocket_session> {
  beast::flat_buffer buffer_;
  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<shared_state> state_;
  std::vector<std::shared_ptr<std::string const>> queue_;

  void fail(beast::error_code ec, char const* what) {
    if (ec == net::error::operation_aborted || ec == websocket::error::closed) return;
    (void)what;
  }

  void on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    state_->join(this);
    ws_.async_read(buffer_, beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "read");
    state_->send(beast::buffers_to_string(buffer_.data()));
    buffer_.consume(buffer_.size());
    ws_.async_read(buffer_, beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
  }

  void on_send(std::shared_ptr<std::string const> const& ss) {
    queue_.push_back(ss);
    if (queue_.size() > 1) return;
    ws_.async_write(net::buffer(*queue_.front()),
                    beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "write");
    queue_.erase(queue_.begin());
    if (!queue_.empty())
      ws_.async_write(net::buffer(*queue_.front()),
                      beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
  }

public:
  websocket_session(tcp::socket&& socket, std::shared_ptr<shared_state> const& state)
      : ws_(std::move(socket)), state_(state) {}
  ~websocket_session() { state_->leave(this); }

  template <class Body, class Allocator>
  void run(http::request<Body, http::basic_fields<Allocator>> req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(req, beast::bind_front_handler(&websocket_session::on_accept, shared_from_this()));
  }

  void send(std::shared_ptr<std::string const> const& ss) {
    net::post(ws_.get_executor(),
              beast::bind_front_handler(&websocket_session::on_send, shared_from_this(), ss));
  }

  // Control frames may overlap a pending data write in Beast.
  void keepalive() {
    ws_.async_ping({}, [self = shared_from_this()](beast::error_code) {});
  }
};

void shared_state::send(std::string message) {
  auto const ss = std::make_shared<std::string const>(std::move(message));
  std::vector<std::weak_ptr<websocket_session>> v;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    v.reserve(sessions_.size());
    for (auto p : sessions_) v.emplace_back(p->weak_from_this());
  }
  for (auto const& wp : v)
    if (auto sp = wp.lock()) sp->send(ss);
}

// "Simplified" fork of the session someone wrote for the admin channel:
// drops the queue, so two broadcasts in a row overlap on the same stream.
class admin_session : public std::enable_shared_from_this<admin_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::vector<std::shared_ptr<std::string const>> backlog_;

public:
  explicit admin_session(tcp::socket&& s) : ws_(std::move(s)) {}

  void on_send(std::shared_ptr<std::string const> const& ss) {
    ws_.async_write(net::buffer(*ss), // expect: errorshield-ws-concurrent-write
                    [self = shared_from_this(), ss](beast::error_code, std::size_t) {});
  }

  void send(std::shared_ptr<std::string const> const& ss) {
    net::post(ws_.get_executor(),
              beast::bind_front_handler(&admin_session::on_send, shared_from_this(), ss));
  }

  // Replays history after accept: fires one write per entry at once.
  void replay() {
    for (auto const& m : backlog_) {
      ws_.async_write(net::buffer(*m), // expect: errorshield-ws-concurrent-write
                      [self = shared_from_this(), m](beast::error_code, std::size_t) {});
    }
  }

  // Queue that forgot the "already writing" check.
  std::vector<std::shared_ptr<std::string const>> q_;
  void enqueue(std::shared_ptr<std::string const> ss) {
    q_.push_back(std::move(ss));
    ws_.async_write(net::buffer(*q_.back()), // expect: errorshield-ws-concurrent-write
                    beast::bind_front_handler(&admin_session::on_q_write, shared_from_this()));
  }
  void on_q_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    q_.erase(q_.begin());
  }

  // Ack then echo, back to back, from the read handler.
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    static std::string const ack = "ack";
    ws_.async_write(net::buffer(ack), [](beast::error_code, std::size_t) {});
    ws_.async_write(buffer_.data(), // expect: errorshield-ws-concurrent-write
                    [self = shared_from_this()](beast::error_code, std::size_t) {
                      self->buffer_.consume(self->buffer_.size());
                    });
  }
};

// Plain echo session: write strictly chained read -> write -> read.
class echo_session : public std::enable_shared_from_this<echo_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit echo_session(tcp::socket&& s) : ws_(std::move(s)) {}
  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&echo_session::on_read, shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    ws_.text(ws_.got_text());
    ws_.async_write(buffer_.data(),
                    beast::bind_front_handler(&echo_session::on_write, shared_from_this()));
  }
  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    buffer_.consume(buffer_.size());
    do_read();
  }
};
