// checks: errorshield-thread-per-connection
// TCP proxies and a market-data replay server. Several generations of the
// same idea: the old ones spawn a thread per client, the newer ones use a
// bounded set of threads.

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/thread.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

void splice_to_upstream(int client_fd, std::string const& upstream);
void replay_session(tcp::socket sock, std::string const& date);
void publish_stats(std::atomic<bool> const& stop);

class l4_proxy {
public:
    l4_proxy(int listen_fd, std::string upstream) : listen_fd_(listen_fd), upstream_(std::move(upstream)) {}

    // Linux accept4 with SOCK_CLOEXEC; each client gets a jthread.
    void run(std::stop_token st) {
        while (!st.stop_requested()) {
            int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0)
                continue;
            conns_.emplace_back([this, fd] {  // expect: errorshield-thread-per-connection
                splice_to_upstream(fd, upstream_);
                ::close(fd);
            });
        }
    }

    // Same thing, written with a named jthread that is then moved in.
    void run_tagged(std::stop_token st) {
        while (!st.stop_requested()) {
            sockaddr_in6 peer{};
            socklen_t len = sizeof peer;
            int fd = ::accept(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len);
            if (fd < 0)
                continue;
            std::jthread t(&splice_to_upstream, fd, upstream_);  // expect: errorshield-thread-per-connection
            conns_.push_back(std::move(t));
        }
    }

private:
    int listen_fd_;
    std::string upstream_;
    std::vector<std::jthread> conns_;
};

// Market-data replay server from the Boost.Thread era.
void run_replay_server(net::io_context& ioc, unsigned short port, std::string date) {
    tcp::acceptor acceptor{ioc, {tcp::v4(), port}};
    beast::error_code ec;
    do {
        auto sock = std::make_shared<tcp::socket>(ioc);
        acceptor.accept(*sock, ec);
        if (ec)
            break;
        boost::thread th([sock, date] { replay_session(std::move(*sock), date); });  // expect: errorshield-thread-per-connection
        th.detach();
    } while (true);
}

// WebSocket replay v2: accepted sockets handed to a fixed thread pool;
// a single stats thread is started once, before the accept loop.
void run_replay_server_v2(unsigned short port, std::string date, std::atomic<bool>& stop) {
    net::io_context ioc;
    net::thread_pool sessions{8};
    std::thread stats(&publish_stats, std::cref(stop));

    tcp::acceptor acceptor{ioc, {tcp::v4(), port}};
    while (!stop) {
        beast::error_code ec;
        tcp::socket sock{ioc};
        acceptor.accept(sock, ec);
        if (ec)
            continue;
        net::post(sessions, [s = std::move(sock), date]() mutable {
            replay_session(std::move(s), date);
        });
    }
    sessions.join();
    stats.join();
}

// SO_REUSEPORT design: N threads, each with its own listening socket and its
// own blocking accept loop. Thread count is fixed at startup.
void run_reuseport_proxy(unsigned short port, std::string upstream, unsigned nthreads) {
    std::vector<std::thread> acceptors;
    for (unsigned i = 0; i < nthreads; ++i) {
        acceptors.emplace_back([port, upstream] {
            int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
            int one = 1;
            ::setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
            sockaddr_in addr{};
            addr.sin_family = AF_INET;
            addr.sin_port = htons(port);
            ::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
            ::listen(lfd, 512);
            for (;;) {
                int fd = ::accept(lfd, nullptr, nullptr);
                if (fd < 0)
                    continue;
                splice_to_upstream(fd, upstream);
                ::close(fd);
            }
        });
    }
    for (auto& t : acceptors)
        t.join();
}

// Lightweight sync WebSocket admin endpoint: one client at a time, handled
// inline on the accepting thread; the only thread is the watchdog below.
void run_admin_endpoint(net::io_context& ioc, tcp::endpoint ep, std::atomic<bool>& stop) {
    std::jthread watchdog([&stop](std::stop_token st) {
        while (!st.stop_requested() && !stop)
            std::this_thread::sleep_for(std::chrono::seconds(1));
    });
    tcp::acceptor acceptor{ioc, ep};
    while (!stop) {
        tcp::socket sock = acceptor.accept();
        websocket::stream<tcp::socket> ws{std::move(sock)};
        beast::error_code ec;
        ws.accept(ec);
        if (!ec)
            ws.close(websocket::close_code::normal, ec);
    }
}
