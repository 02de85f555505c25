// Accepts TCP connections, each onto its own strand of one of the pool's io_contexts.
#pragma once

#include "beast.h"
#include "io_pool.h"

#include <memory>

namespace chat {

class Server;

class Listener : public std::enable_shared_from_this<Listener> {
public:
  Listener(IoPool &pool, tcp::endpoint endpoint, std::shared_ptr<Server> server,
           beast::error_code &ec);
  void run() { do_accept(); }
  void stop();
  tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

private:
  void do_accept();
  void on_accept(beast::error_code ec, Socket socket);

  IoPool &pool_;
  tcp::acceptor acceptor_;
  std::shared_ptr<Server> server_;
};

} // namespace chat
