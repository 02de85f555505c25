// checks: errorshield-thread-per-connection
// Synchronous servers from an internal toolkit: a Beast sync WebSocket echo
// service, a POSIX line-protocol quote server, a TLS admin console, and the
// "v2" WebSocket server that runs on a fixed io_context pool.

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

void ws_echo_session(tcp::socket socket) {
    websocket::stream<tcp::socket> ws{std::move(socket)};
    beast::error_code ec;
    ws.accept(ec);
    beast::flat_buffer b;
    while (!ec) {
        ws.read(b, ec);
        if (ec)
            break;
        ws.text(ws.got_text());
        ws.write(b.data(), ec);
        b.consume(b.size());
    }
}

// One detached thread per accepted WebSocket client.
void run_ws_echo(net::io_context& ioc, tcp::endpoint ep) {
    tcp::acceptor acceptor{ioc, ep};
    for (;;) {
        tcp::socket socket{ioc};
        acceptor.accept(socket);
        std::thread(&ws_echo_session, std::move(socket)).detach();  // expect: errorshield-thread-per-connection
    }
}

void serve_quotes(int fd);

// POSIX quote server: threads are kept so they can be joined at shutdown.
void run_quote_server(int listen_fd, std::atomic<bool>& running) {
    std::vector<std::thread> clients;
    while (running.load()) {
        sockaddr_in peer{};
        socklen_t len = sizeof peer;
        int fd = ::accept(listen_fd, reinterpret_cast<sockaddr*>(&peer), &len);
        if (fd < 0)
            continue;
        clients.emplace_back(&serve_quotes, fd);  // expect: errorshield-thread-per-connection
    }
    for (auto& t : clients)
        t.join();
}

// TLS admin console.
class admin_console {
public:
    admin_console(net::io_context& ioc, ssl::context& ctx, tcp::endpoint ep)
        : ioc_(ioc), ctx_(ctx), acceptor_(ioc, ep) {}

    void serve_forever() {
        while (!stopping_) {
            beast::error_code ec;
            tcp::socket sock = acceptor_.accept(ec);
            if (ec)
                continue;
            auto stream = std::make_shared<ssl::stream<tcp::socket>>(std::move(sock), ctx_);
            if (peer_allowed(stream->lowest_layer().remote_endpoint(ec))) {
                auto worker = std::make_unique<std::thread>([this, stream] { handle(*stream); });  // expect: errorshield-thread-per-connection
                workers_.push_back(std::move(worker));
            }
        }
    }

private:
    bool peer_allowed(tcp::endpoint const& ep) const;
    void handle(ssl::stream<tcp::socket>& s);

    net::io_context& ioc_;
    ssl::context& ctx_;
    tcp::acceptor acceptor_;
    std::vector<std::unique_ptr<std::thread>> workers_;
    std::atomic<bool> stopping_{false};
};

// v2: a fixed io_context pool is started before the accept loop; accepted
// sockets are handed to it with post. Thread count never grows.
void run_ws_echo_v2(tcp::endpoint ep, unsigned nthreads) {
    net::io_context work_ioc;
    auto guard = net::make_work_guard(work_ioc);
    std::vector<std::thread> pool;
    pool.reserve(nthreads);
    for (unsigned i = 0; i < nthreads; ++i)
        pool.emplace_back([&work_ioc] { work_ioc.run(); });

    net::io_context accept_ioc;
    tcp::acceptor acceptor{accept_ioc, ep};
    for (;;) {
        beast::error_code ec;
        tcp::socket socket = acceptor.accept(ec);
        if (ec)
            break;
        net::post(work_ioc, [s = std::move(socket)]() mutable { ws_echo_session(std::move(s)); });
    }
    guard.reset();
    for (auto& t : pool)
        t.join();
}

// Quote server v2: accept loop only enqueues descriptors; a fixed set of
// workers, created up front, drains the queue.
class quote_server_v2 {
public:
    explicit quote_server_v2(int listen_fd, unsigned nworkers) : listen_fd_(listen_fd) {
        for (unsigned i = 0; i < nworkers; ++i)
            workers_.emplace_back([this] { worker_loop(); });
    }

    void accept_loop() {
        for (;;) {
            int fd = ::accept(listen_fd_, nullptr, nullptr);
            if (fd < 0)
                break;
            {
                std::lock_guard<std::mutex> g(mu_);
                pending_.push_back(fd);
            }
            cv_.notify_one();
        }
    }

private:
    void worker_loop() {
        for (;;) {
            std::unique_lock<std::mutex> lk(mu_);
            cv_.wait(lk, [this] { return !pending_.empty(); });
            int fd = pending_.front();
            pending_.pop_front();
            lk.unlock();
            serve_quotes(fd);
            ::close(fd);
        }
    }

    int listen_fd_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<int> pending_;
    std::vector<std::thread> workers_;
};
