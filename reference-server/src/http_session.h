// One plain HTTP connection: serves the chat page, /metrics and /healthz, and upgrades /ws after
// checking the Origin, the user and the subprotocol.
#pragma once

#include "beast.h"

#include <memory>

namespace chat {

class Server;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
  HttpSession(Socket &&socket, std::shared_ptr<Server> server);
  void run();

private:
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void upgrade();
  void respond(http::status status, std::string content_type, std::string body);
  void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);

  TcpStream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<Server> server_;
  http::request<http::string_body> request_;
  std::shared_ptr<http::response<http::string_body>> response_;
};

} // namespace chat
