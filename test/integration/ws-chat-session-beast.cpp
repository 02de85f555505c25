// The correct session shape of a multi-user chat server on real Boost 1.81 Beast headers (the layout
// of Beast's chat-multi example: an HTTP session that upgrades, a WebSocket session per user, a shared
// room): timeouts suggested, read_message_max set, Origin checked before async_accept(req), the frame
// type checked before parsing. Every ErrorShield check must stay quiet.
// RUN: %clang_tidy %s --checks='-*,errorshield-*' -- -std=c++20 \
// RUN:   | FileCheck %s --allow-empty --implicit-check-not='{{warning|error|note}}:'
// The same server with the traps of issue 4 left in (-DTRAPS): each WebSocket check fires.
// RUN: %clang_tidy %s --checks='-*,errorshield-ws-*' -- -std=c++20 -DTRAPS \
// RUN:   | FileCheck %s --check-prefix=TRAPS --implicit-check-not='{{warning|error|note}}:'
// With the traps of issue 5 (-DTRAPS5): no write-in-progress guard, a blocking write in a handler.
// RUN: %clang_tidy %s --checks='-*,errorshield-*' -- -std=c++20 -DTRAPS5 \
// RUN:   | FileCheck %s --check-prefix=TRAPS5 --implicit-check-not='{{warning|error|note}}:'
// The traversal scope limited to user code (the default) changes no finding: the same with it off.
// RUN: %clang_tidy %s --checks='-*,errorshield-*' \
// RUN:   --config="{CheckOptions: {ErrorShieldUserCodeTraversal: false}}" -- -std=c++20 -DTRAPS5 \
// RUN:   | FileCheck %s --check-prefix=TRAPS5 --implicit-check-not='{{warning|error|note}}:'

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class chat_session;

// The room every session posts to; sessions join and leave under its mutex.
class chat_room {
public:
  void join(chat_session *s) {
    std::lock_guard<std::mutex> lock(mutex_);
    members_.insert(s);
  }
  void leave(chat_session *s) {
    std::lock_guard<std::mutex> lock(mutex_);
    members_.erase(s);
  }
  void post(const std::string &text);

private:
  std::mutex mutex_;
  std::set<chat_session *> members_;
};

static bool origin_allowed(std::string_view origin) {
  return origin == "https://chat.example.com" || origin == "https://www.example.com";
}

class chat_session : public std::enable_shared_from_this<chat_session> {
public:
  chat_session(tcp::socket &&socket, std::shared_ptr<chat_room> room)
      : ws_(std::move(socket)), room_(std::move(room)) {}

  template <class Body, class Allocator>
  void run(http::request<Body, http::basic_fields<Allocator>> req) {
#ifndef TRAPS
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
#endif
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
      res.set(http::field::server, "chat-server");
#ifdef TRAPS
      res.set(http::field::sec_websocket_protocol, "chat.v1");
// TRAPS: :[[@LINE-1]]:11: warning: the handshake answers with the fixed subprotocol 'chat.v1' without reading the client's Sec-WebSocket-Protocol: a client that did not offer it is told it was chosen [ES-WS-001] [errorshield-ws-handshake-origin]
#endif
    }));
    ws_.async_accept(req, beast::bind_front_handler(&chat_session::on_accept, shared_from_this()));
// TRAPS: :[[@LINE-1]]:9: warning: async_accept accepts a handshake whose Origin header is never checked: any web page can open this connection with the user's cookies (cross-site WebSocket hijacking) [ES-WS-001] [errorshield-ws-handshake-origin]
// The missing timeout option of ws_ is reported at its declaration (the last TRAPS
// finding below), with this handshake as a note.
  }

  void send(std::shared_ptr<const std::string> const &text) {
    net::post(ws_.get_executor(), [self = shared_from_this(), text] { self->on_send(text); });
  }

  ~chat_session() { room_->leave(this); }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    room_->join(this);
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&chat_session::on_read, shared_from_this()));
// TRAPS: :[[@LINE-1]]:9: warning: async_read on 'ws_', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// TRAPS: :[[@LINE-2]]:9: note: set a limit before the first read, e.g. ws_.read_message_max(1048576)
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
#ifndef TRAPS
    if (!ws_.got_text()) {
      ws_.async_close(websocket::close_code::unknown_data, [self = shared_from_this()](beast::error_code) {});
      return;
    }
#endif
#ifdef TRAPS
    // A throwing parse: a binary frame (or any bad input) escapes the handler as an exception.
    (void)nlohmann::json::parse(beast::buffers_to_string(buffer_.data()));
// TRAPS: :[[@LINE-1]]:27: warning: 'parse' parses a message read from 'ws_' as text, but the stream's owner never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
#endif
    auto message = nlohmann::json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
// TRAPS: :[[@LINE-1]]:36: warning: 'parse' parses a message read from 'ws_' as text, but the stream's owner never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
    buffer_.consume(buffer_.size());
    if (message.is_discarded() || !message.contains("text")) {
#ifdef TRAPS
      ws_.async_close(websocket::close_code::no_status, [self = shared_from_this()](beast::error_code) {});
// TRAPS: :[[@LINE-1]]:11: warning: close code 1005 must not be sent in a close frame: it only reports locally that a close frame carried no status code [ES-WS-005] [errorshield-ws-close-code]
#else
      ws_.async_close(websocket::close_code::policy_error, [self = shared_from_this()](beast::error_code) {});
#endif
      return;
    }
    room_->post(message["text"].get<std::string>());
#ifdef TRAPS5
    ws_.write(net::buffer(std::string("ack")));
// TRAPS5: :[[@LINE-1]]:9: warning: 'stream::write' blocks the I/O thread inside a completion handler: every connection served by this thread waits until it returns [ES-WS-007] [errorshield-ws-blocking-in-handler]
// TRAPS5: :99:9: note: the handler runs when 'async_read' completes; use the asynchronous operation or post the blocking work to a separate thread pool
#endif
    do_read();
  }

  void on_send(std::shared_ptr<const std::string> const &text) {
    queue_.push_back(text);
#ifndef TRAPS5
    if (queue_.size() > 1)
      return;
#endif
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()),
// TRAPS5: :[[@LINE-1]]:9: warning: async_write of the front of 'queue_' right after a push, without checking that a write is already in progress: a second write can start before the first completes [ES-WS-006] [errorshield-ws-concurrent-write]
// TRAPS5: :[[@LINE-2]]:9: note: return after the push when a write is in progress, e.g. if (queue_.size() > 1) return;
                    beast::bind_front_handler(&chat_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    queue_.erase(queue_.begin());
    if (!queue_.empty())
      ws_.async_write(net::buffer(*queue_.front()),
                      beast::bind_front_handler(&chat_session::on_write, shared_from_this()));
  }

  websocket::stream<beast::tcp_stream> ws_;
// TRAPS: :[[@LINE-1]]:40: warning: websocket stream 'ws_' never gets a timeout option from its owner: a peer that vanishes without closing is never detected [ES-WS-002] [errorshield-ws-timeouts]
// TRAPS: :78:9: note: async_accept runs here without one
// TRAPS: :78:9: note: set one first, e.g. ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server))
  beast::flat_buffer buffer_;
  std::shared_ptr<chat_room> room_;
  std::vector<std::shared_ptr<const std::string>> queue_;
};

void chat_room::post(const std::string &text) {
  auto shared = std::make_shared<const std::string>(text);
  std::vector<chat_session *> members;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    members.assign(members_.begin(), members_.end());
  }
  for (chat_session *member : members)
    member->send(shared);
}

// Reads the upgrade request, checks its Origin, and hands it to a chat_session.
class http_session : public std::enable_shared_from_this<http_session> {
public:
  http_session(tcp::socket &&socket, std::shared_ptr<chat_room> room)
      : stream_(std::move(socket)), room_(std::move(room)) {}

  void run() {
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_,
                     beast::bind_front_handler(&http_session::on_read, shared_from_this()));
  }

private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    if (!websocket::is_upgrade(req_))
      return;
#ifndef TRAPS
    if (!origin_allowed(req_[http::field::origin]))
      return;
#endif
    std::make_shared<chat_session>(stream_.release_socket(), room_)->run(std::move(req_));
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::shared_ptr<chat_room> room_;
};

int main() {
  net::io_context ioc;
  auto room = std::make_shared<chat_room>();
  tcp::acceptor acceptor(ioc, {tcp::v4(), 8080});
  acceptor.async_accept([&acceptor, room](beast::error_code ec, tcp::socket socket) {
    if (!ec)
      std::make_shared<http_session>(std::move(socket), room)->run();
  });
  ioc.run();
}
