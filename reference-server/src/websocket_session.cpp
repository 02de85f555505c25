#include "websocket_session.h"

#include "log.h"
#include "server.h"

namespace chat {

WebSocketSession::WebSocketSession(Socket &&socket, std::shared_ptr<Server> server,
                                   UserId user, std::string subprotocol)
    : ws_(std::move(socket)), idle_timer_(ws_.get_executor()), server_(std::move(server)),
      user_(user), id_(server_->next_session_id()), subprotocol_(std::move(subprotocol)) {}

void WebSocketSession::configure_stream() {
  // The WebSocket stream has its own timeouts: the TCP stream's must be off.
  beast::get_lowest_layer(ws_).expires_never();
  // Handshake 30 s, idle 300 s with keep-alive pings; the application idle timer below is shorter
  // and closes with a code (Beast's own idle timeout drops TCP without a close frame: 1006).
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.read_message_max(server_->config().max_message_bytes); // Larger messages: closed with 1009.
  ws_.text(true);
  ws_.set_option(websocket::stream_base::decorator(
      [protocol = subprotocol_](websocket::response_type &response) {
        response.set(http::field::server, "es-chat-server");
        if (!protocol.empty())
          response.set(http::field::sec_websocket_protocol, protocol);
      }));
}

void WebSocketSession::on_accept(beast::error_code ec) {
  if (ec) {
    log_event("handshake-failed", {{"user", std::to_string(user_)}, {"error", ec.message()}});
    return;
  }
  open_ = true;
  last_message_ = Clock::now();
  server_->connected(user_, id_, shared_from_this());
  arm_idle_timer();
  do_read();
  // A handshake that completed while the server was shutting down: close_all() may have run before
  // this session was registered.
  if (server_->stopping())
    close_with(websocket::close_code::going_away, "server shutting down");
}

void WebSocketSession::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
}

void WebSocketSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    // The peer closed (websocket::error::closed), broke the protocol (Beast has already sent
    // 1002/1007/1009), or the connection dropped: this session is over either way.
    if (ec != websocket::error::closed)
      log_event("read-ended", {{"user", std::to_string(user_)}, {"error", ec.message()}});
    idle_timer_.cancel();
    if (open_) {
      open_ = false;
      server_->disconnected(user_, id_);
    }
    return;
  }
  if (!ws_.got_text()) {
    server_->metrics().reject(Rejection::Binary);
    close_with(websocket::close_code::unknown_data, "text frames only");
    return;
  }
  last_message_ = Clock::now();
  const auto data = buffer_.cdata();
  server_->handle(user_, shared_from_this(),
                  std::string_view(static_cast<const char *>(data.data()), data.size()));
  buffer_.consume(buffer_.size());
  do_read();
}

void WebSocketSession::send(std::shared_ptr<const std::string> message) {
  net::post(ws_.get_executor(), beast::bind_front_handler(&WebSocketSession::on_send,
                                                          shared_from_this(), std::move(message)));
}

void WebSocketSession::on_send(std::shared_ptr<const std::string> message) {
  if (!open_ || closing_)
    return;
  if (queue_.size() >= server_->config().max_queued_messages) {
    // A consumer that cannot keep up is closed rather than allowed to grow memory without bound.
    server_->metrics().slow_consumers_closed++;
    close_with(websocket::close_code::try_again_later, "too slow: write queue full");
    return;
  }
  queue_.push_back(std::move(message));
  if (queue_.size() > 1)
    return; // A write is in progress; on_write sends the next one.
  ws_.async_write(net::buffer(*queue_.front()),
                  beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::on_write(beast::error_code ec, std::size_t) {
  if (ec) {
    log_event("write-failed", {{"user", std::to_string(user_)}, {"error", ec.message()}});
    queue_.clear();
    return; // The pending read fails too and ends the session.
  }
  queue_.pop_front();
  if (closing_)
    queue_.clear();
  if (closing_) {
    ws_.async_close(close_reason_,
                    beast::bind_front_handler(&WebSocketSession::on_close, shared_from_this()));
    return;
  }
  if (!queue_.empty())
    ws_.async_write(net::buffer(*queue_.front()),
                    beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::arm_idle_timer() {
  idle_timer_.expires_at(last_message_ + server_->config().idle_timeout);
  idle_timer_.async_wait(beast::bind_front_handler(&WebSocketSession::on_idle, shared_from_this()));
}

void WebSocketSession::on_idle(beast::error_code ec) {
  // operation_aborted: the session ended. A timer that had already fired when the session closed
  // completes without an error: it must neither re-arm nor count an idle close.
  if (ec || !open_ || closing_)
    return;
  // Messages do not touch the timer (cancelling and re-arming it per message cost more than the
  // message itself): they move last_message_, and the timer, when it fires, waits out the rest.
  if (Clock::now() < last_message_ + server_->config().idle_timeout)
    return arm_idle_timer();
  server_->metrics().idle_closed++;
  close_with(websocket::close_code::policy_error, "idle timeout");
}

void WebSocketSession::close_with(websocket::close_code code, const char *reason) {
  if (closing_ || !open_)
    return;
  closing_ = true;
  idle_timer_.cancel();
  close_reason_ = websocket::close_reason(code, reason);
  if (!queue_.empty())
    return; // A close frame is a write: it goes after the one in progress (see on_write).
  ws_.async_close(close_reason_,
                  beast::bind_front_handler(&WebSocketSession::on_close, shared_from_this()));
}

void WebSocketSession::close(websocket::close_code code, const char *reason) {
  net::post(ws_.get_executor(), beast::bind_front_handler(&WebSocketSession::close_with,
                                                          shared_from_this(), code, reason));
}

void WebSocketSession::on_close(beast::error_code ec) {
  if (ec)
    log_event("close-failed", {{"user", std::to_string(user_)}, {"error", ec.message()}});
  // The read loop sees the end of the stream and unregisters the session.
}

} // namespace chat
