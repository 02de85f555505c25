// One WebSocket connection of one user.
//
// Every handler runs on the connection's strand (the socket was accepted onto one), so the stream,
// the buffer and the write queue are only ever touched from that strand; send() and the close
// functions may be called from any thread and post onto it.
#pragma once

#include "beast.h"
#include "coalescing_stream.h"
#include "protocol.h"
#include "registry.h"

#include <deque>
#include <memory>
#include <string>

namespace chat {

class Server;

class WebSocketSession : public std::enable_shared_from_this<WebSocketSession> {
public:
  WebSocketSession(Socket &&socket, std::shared_ptr<Server> server, UserId user,
                   std::string subprotocol);

  // Accepts the upgrade request the HTTP session already read and checked (Origin, user,
  // subprotocol: see handshake.h). Defined here, next to the HTTP session's call, as in Beast's
  // chat-multi: the check that Origin is read before the accept sees both in one translation unit.
  void run(http::request<http::string_body> request) {
    ws_.next_layer().set_owner(weak_from_this());
    configure_stream();
    ws_.async_accept(request,
                     beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
  }

  // Queues one text message; thread-safe.
  void send(std::shared_ptr<const std::string> message);
  // Closes with `code` (1001 at shutdown, 1007 for text that is not UTF-8); thread-safe.
  void close(websocket::close_code code, const char *reason);

  SessionId id() const { return id_; }

private:
  void configure_stream();
  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void on_send(std::shared_ptr<const std::string> message);
  void on_write(beast::error_code ec, std::size_t bytes);
  void arm_idle_timer();
  void on_idle(beast::error_code ec);
  void close_with(websocket::close_code code, const char *reason);
  void on_close(beast::error_code ec);

  websocket::stream<CoalescingStream<TcpStream>> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  Timer idle_timer_;
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_message_; // Read by the idle timer.
  std::shared_ptr<Server> server_;
  const UserId user_;
  const SessionId id_;
  const std::string subprotocol_;
  websocket::close_reason close_reason_;
  bool open_ = false;    // Accepted and registered, not yet closed.
  bool closing_ = false; // A close frame was sent or received: nothing more is written.
};

} // namespace chat
