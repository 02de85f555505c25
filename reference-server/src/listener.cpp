#include "listener.h"

#include "http_session.h"
#include "log.h"

namespace chat {

Listener::Listener(IoPool &pool, tcp::endpoint endpoint, std::shared_ptr<Server> server,
                   beast::error_code &ec)
    : pool_(pool), acceptor_(net::make_strand(pool.main())), server_(std::move(server)) {
  if (acceptor_.open(endpoint.protocol(), ec); ec)
    return;
  if (acceptor_.set_option(net::socket_base::reuse_address(true), ec); ec)
    return;
  if (acceptor_.bind(endpoint, ec); ec)
    return;
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
}

void Listener::do_accept() {
  // Each connection gets its own strand: its handlers never run concurrently, and other threads'
  // work for it (send, close) is posted onto that strand.
  acceptor_.async_accept(net::make_strand(pool_.next().get_executor()),
                         beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, Socket socket) {
  if (ec == net::error::operation_aborted)
    return; // stop() closed the acceptor.
  if (ec)
    log_event("accept-failed", {{"error", ec.message()}});
  else {
    // Small messages are the norm: without TCP_NODELAY, Nagle's algorithm and delayed ACKs hold
    // replies back for up to 40 ms.
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<HttpSession>(std::move(socket), server_)->run();
  }
  do_accept();
}

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

} // namespace chat
