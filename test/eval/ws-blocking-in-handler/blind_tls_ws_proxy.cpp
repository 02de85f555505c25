// checks: errorshield-ws-blocking-in-handler
// TLS-terminating WebSocket proxy: accepts wss:// clients, connects to a
// plaintext backend, relays frames both ways and writes an audit log.

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <array>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include <sys/socket.h>
#include <unistd.h>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

// Byte pump between two streams of the same type.
template <class Stream>
class pump : public std::enable_shared_from_this<pump<Stream>> {
public:
    pump(Stream& from, Stream& to) : from_(from), to_(to) {}

    void start() {
        from_.async_read_some(net::buffer(buf_),
                              beast::bind_front_handler(&pump::on_read, this->shared_from_this()));
    }

    void start_async() {
        from_.async_read_some(net::buffer(buf_),
                              beast::bind_front_handler(&pump::on_read_async, this->shared_from_this()));
    }

private:
    // Legacy path: forwards each chunk with a synchronous write.
    void on_read(beast::error_code ec, std::size_t n) {
        if (ec)
            return;
        net::write(to_, net::buffer(buf_.data(), n), ec);  // expect: errorshield-ws-blocking-in-handler
        if (ec)
            return;
        start();
    }

    // Current path: forward asynchronously, read again when that completes.
    void on_read_async(beast::error_code ec, std::size_t n) {
        if (ec)
            return;
        net::async_write(to_, net::buffer(buf_.data(), n),
                         [self = this->shared_from_this()](beast::error_code ec2, std::size_t) {
                             if (!ec2)
                                 self->start_async();
                         });
    }

    Stream& from_;
    Stream& to_;
    std::array<char, 16 * 1024> buf_{};
};

template class pump<tcp::socket>;

class proxy_listener {
public:
    proxy_listener(net::io_context& ioc, ssl::context& ctx, tcp::endpoint ep, int audit_fd)
        : ioc_(ioc), ctx_(ctx), acceptor_(ioc, ep), resolver_(ioc), backend_(ioc),
          audit_fd_(audit_fd) {}

    void do_accept() {
        acceptor_.async_accept(net::make_strand(ioc_),
                               std::bind(&proxy_listener::on_accept, this, std::placeholders::_1,
                                         std::placeholders::_2));
    }

    void connect_backend(std::string const& host, std::string const& port) {
        resolver_.async_resolve(host, port,
                                [this](beast::error_code ec, tcp::resolver::results_type results) {
                                    if (ec)
                                        return;
                                    net::connect(backend_, results);  // expect: errorshield-ws-blocking-in-handler
                                    backend_.set_option(tcp::no_delay(true));
                                    on_backend_ready();
                                });
    }

private:
    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec)
            return do_accept();
        socket.set_option(tcp::no_delay(true));
        auto ws = std::make_shared<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>(
            std::move(socket), ctx_);
        // TLS and WebSocket handshakes done synchronously in the accept handler:
        // one slow client stalls every other accept.
        ws->next_layer().handshake(ssl::stream_base::server, ec);  // expect: errorshield-ws-blocking-in-handler
        if (!ec)
            ws->accept();  // expect: errorshield-ws-blocking-in-handler
        audit("accept");
        do_accept();
    }

    void audit(std::string const& what);

    void on_backend_ready();

    net::io_context& ioc_;
    ssl::context& ctx_;
    tcp::acceptor acceptor_;
    tcp::resolver resolver_;
    tcp::socket backend_;
    int audit_fd_;
};

// Session that logs every frame to an audit file descriptor.
class audited_session : public std::enable_shared_from_this<audited_session> {
public:
    audited_session(websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws, int audit_fd)
        : ws_(std::move(ws)), audit_fd_(audit_fd) {}

    void do_read() {
        ws_.async_read(buffer_, std::bind(&audited_session::on_read, shared_from_this(),
                                          std::placeholders::_1, std::placeholders::_2));
    }

private:
    void on_read(beast::error_code ec, std::size_t n) {
        if (ec)
            return;
        std::string line = "frame " + std::to_string(n) + "\n";
        ::write(audit_fd_, line.data(), line.size());  // expect: errorshield-ws-blocking-in-handler
        if (n > 1 << 20) {
            // Oversized frame: page the on-call with a shell script.
            std::system("/usr/local/bin/page-oncall oversized-frame");  // expect: errorshield-ws-blocking-in-handler
            ::usleep(2000);  // expect: errorshield-ws-blocking-in-handler
        }
        buffer_.consume(buffer_.size());
        do_read();
    }

    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
    beast::flat_buffer buffer_;
    int audit_fd_;
};

// Startup-time backend check, called from main before ioc.run().
bool backend_reachable(net::io_context& ioc, std::string const& host, std::string const& port) {
    tcp::resolver r{ioc};
    tcp::socket s{ioc};
    beast::error_code ec;
    net::connect(s, r.resolve(host, port, ec), ec);
    if (ec)
        return false;
    char const probe[] = "PING\r\n";
    net::write(s, net::buffer(probe, sizeof probe - 1), ec);
    s.close(ec);
    return !ec;
}
