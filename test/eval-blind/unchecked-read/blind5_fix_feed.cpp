// checks: errorshield-unchecked-read
// FIX drop-copy and multicast-recovery handlers for a trading gateway.
// The hot path uses raw POSIX sockets driven by epoll; the recovery and
// admin paths use synchronous Asio and stackful coroutines (yield_context).
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct fix_conn {
    int fd = -1;
    std::string inbox;
    std::uint64_t next_seq = 1;
};

class drop_copy_reactor {
public:
    explicit drop_copy_reactor(int epfd, int wakeup_fd) : epfd_(epfd), wakeup_fd_(wakeup_fd) {}

    void on_readable(int fd) {
        if (fd == wakeup_fd_) {
            std::uint64_t ticks;
            (void)::read(wakeup_fd_, &ticks, sizeof ticks);
            return;
        }
        auto& c = conns_[fd];
        char buf[8192];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            close_conn(fd);
            return;
        }
        if (n > 0) c.inbox.append(buf, static_cast<std::size_t>(n));
        drain_messages(c);
    }

    // Edge-triggered variant used for the venue drop-copy links.
    void on_readable_et(int fd) {
        auto& c = conns_[fd];
        char buf[8192];
        ssize_t n;
        while ((n = ::read(fd, buf, sizeof buf)) > 0) c.inbox.append(buf, static_cast<std::size_t>(n));
        if (n == 0 || (n < 0 && errno != EAGAIN)) {
            close_conn(fd);
            return;
        }
        drain_messages(c);
    }

    // Legacy back-office link: fixed 64-byte status records.
    void on_status_record(int fd) {
        std::array<char, 64> rec{};
        ::recv(fd, rec.data(), rec.size(), MSG_WAITALL); // expect: errorshield-unchecked-read
        status_[fd] = std::string(rec.data(), strnlen(rec.data(), rec.size()));
    }

    void on_admin_readable(int fd) {
        char buf[1024];
        ssize_t n = ::read(fd, buf, sizeof buf); // expect: errorshield-unchecked-read
        conns_[fd].inbox.append(buf, static_cast<std::size_t>(n));
        drain_messages(conns_[fd]);
    }

private:
    void drain_messages(fix_conn& c) {
        static const std::string trailer = "\x01" "10=";
        for (;;) {
            auto pos = c.inbox.find(trailer);
            if (pos == std::string::npos || pos + trailer.size() + 4 > c.inbox.size()) return;
            c.inbox.erase(0, pos + trailer.size() + 4);
            ++c.next_seq;
        }
    }

    void close_conn(int fd) {
        ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        conns_.erase(fd);
    }

    int epfd_;
    int wakeup_fd_;
    std::unordered_map<int, fix_conn> conns_;
    std::unordered_map<int, std::string> status_;
};

// Gap-fill over TCP: length-prefixed packets from the recovery server.
class recovery_client {
public:
    explicit recovery_client(net::io_context& ioc) : sock_(ioc) {}

    bool fetch_range(const tcp::endpoint& ep, std::uint64_t from, std::uint64_t to, std::vector<std::string>& out) {
        boost::system::error_code ec;
        sock_.connect(ep, ec);
        if (ec) return false;
        std::string req = "GAP " + std::to_string(from) + " " + std::to_string(to) + "\n";
        net::write(sock_, net::buffer(req), ec);
        if (ec) return false;
        for (std::uint64_t seq = from; seq <= to; ++seq) {
            std::uint32_t len = 0;
            net::read(sock_, net::buffer(&len, sizeof len), ec);
            if (ec) return false;
            std::string body(len, '\0');
            net::read(sock_, net::buffer(body), ec); // expect: errorshield-unchecked-read
            out.push_back(std::move(body));
        }
        return true;
    }

    std::string fetch_snapshot() {
        std::uint32_t len = 0;
        net::read(sock_, net::buffer(&len, sizeof len));
        std::string body(len, '\0');
        net::read(sock_, net::buffer(body));
        return body;
    }

    void tail_session_log(std::string& sink) {
        std::array<char, 512> chunk{};
        boost::system::error_code ec;
        for (;;) {
            std::size_t n = sock_.read_some(net::buffer(chunk), ec); // expect: errorshield-unchecked-read
            sink.append(chunk.data(), n);
            if (sink.size() > (1u << 20)) sink.erase(0, sink.size() / 2);
        }
    }

private:
    tcp::socket sock_;
};

// Operator console: one stackful coroutine per telnet-style connection.
void serve_console(net::io_context& ioc, unsigned short port) {
    net::spawn(ioc, [&ioc, port](net::yield_context yield) {
        tcp::acceptor acc(ioc, {tcp::v4(), port});
        for (;;) {
            tcp::socket s = acc.async_accept(yield);
            net::spawn(acc.get_executor(), [s = std::move(s)](net::yield_context y) mutable {
                std::array<char, 256> line{};
                boost::system::error_code ec;
                for (;;) {
                    std::size_t n = s.async_read_some(net::buffer(line), y[ec]);
                    if (ec == net::error::eof) break;
                    if (ec) return;
                    net::async_write(s, net::buffer(line.data(), n), y[ec]);
                    if (ec) return;
                }
            }, net::detached);
        }
    }, net::detached);
}

void serve_status_feed(net::io_context& ioc, tcp::socket sock) {
    net::spawn(ioc, [s = std::move(sock)](net::yield_context y) mutable {
        std::array<char, 128> buf{};
        boost::system::error_code ec;
        std::string acc;
        for (;;) {
            std::size_t n = s.async_read_some(net::buffer(buf), y[ec]); // expect: errorshield-unchecked-read
            acc.append(buf.data(), n);
            if (acc.size() > 4096) acc.clear();
        }
    }, net::detached);
}
