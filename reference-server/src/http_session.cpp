#include "http_session.h"

#include "handshake.h"
#include "log.h"
#include "page.h"
#include "server.h"
#include "websocket_session.h"

namespace chat {

HttpSession::HttpSession(Socket &&socket, std::shared_ptr<Server> server)
    : stream_(std::move(socket)), server_(std::move(server)) {}

void HttpSession::run() { do_read(); }

void HttpSession::do_read() {
  request_ = {};
  // A client that opens a connection and never finishes its request is dropped.
  stream_.expires_after(server_->config().handshake_timeout);
  http::async_read(stream_, buffer_, request_,
                   beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) {
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    return;
  }
  if (ec) {
    if (ec != beast::error::timeout)
      log_event("http-read-failed", {{"error", ec.message()}});
    return;
  }
  std::string_view path = request_.target();
  path = path.substr(0, path.find('?'));
  if (websocket::is_upgrade(request_)) {
    if (path == "/ws")
      return upgrade();
    return respond(http::status::not_found, "text/plain", "no WebSocket service here\n");
  }
  if (request_.method() != http::verb::get)
    return respond(http::status::method_not_allowed, "text/plain", "GET only\n");
  if (path == "/")
    return respond(http::status::ok, "text/html; charset=utf-8", std::string(chat_page));
  if (path == "/metrics")
    return respond(http::status::ok, "text/plain; version=0.0.4", server_->metrics().render());
  if (path == "/healthz")
    return respond(http::status::ok, "text/plain", "ok\n");
  respond(http::status::not_found, "text/plain", "not found\n");
}

void HttpSession::upgrade() {
  HandshakeVerdict verdict = check_handshake(request_, server_->config().allowed_origins);
  if (verdict.status != http::status::ok) {
    server_->metrics().reject(verdict.status == http::status::forbidden      ? Rejection::Origin
                              : verdict.status == http::status::unauthorized ? Rejection::MissingUser
                                                                             : Rejection::Subprotocol);
    log_event("upgrade-refused", {{"reason", verdict.reason}, {"origin", std::string(request_[http::field::origin])}});
    return respond(verdict.status, "text/plain", verdict.reason + "\n");
  }
  std::make_shared<WebSocketSession>(stream_.release_socket(), server_, verdict.user,
                                     verdict.subprotocol)
      ->run(std::move(request_));
}

void HttpSession::respond(http::status status, std::string content_type, std::string body) {
  response_ = std::make_shared<http::response<http::string_body>>(status, request_.version());
  response_->set(http::field::server, "es-chat-server");
  response_->set(http::field::content_type, content_type);
  response_->keep_alive(request_.keep_alive());
  response_->body() = std::move(body);
  response_->prepare_payload();
  http::async_write(stream_, *response_,
                    beast::bind_front_handler(&HttpSession::on_write, shared_from_this(),
                                              response_->keep_alive()));
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  if (ec) {
    log_event("http-write-failed", {{"error", ec.message()}});
    return;
  }
  if (!keep_alive) {
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    return;
  }
  do_read();
}

} // namespace chat
