// checks: errorshield-ws-concurrent-write
// Push-notification service: a C++20-coroutine WebSocket server that
// streams notifications to browsers, plus an upstream feed client that
// relays price ticks from an exchange over TLS WebSocket.

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using json = nlohmann::json;

class notify_session : public std::enable_shared_from_this<notify_session> {
public:
    explicit notify_session(websocket::stream<beast::tcp_stream> ws)
        : ws_(std::move(ws)), signal_(ws_.get_executor()) {
        signal_.expires_at(std::chrono::steady_clock::time_point::max());
    }

    void deliver(std::string payload) {
        outbox_.push_back(std::move(payload));
        signal_.cancel_one();
    }

    // Single writer coroutine: each write is awaited before the next one
    // starts and the front is popped only after the awaited write returns.
    net::awaitable<void> writer() {
        while (ws_.is_open()) {
            if (outbox_.empty()) {
                boost::system::error_code ec;
                co_await signal_.async_wait(net::redirect_error(net::use_awaitable, ec));
                continue;
            }
            co_await ws_.async_write(net::buffer(outbox_.front()), net::use_awaitable);
            outbox_.pop_front();
        }
    }

private:
    websocket::stream<beast::tcp_stream> ws_;
    net::steady_timer signal_;
    std::deque<std::string> outbox_;
};

// One-shot export of a user's notification archive; every write awaited.
net::awaitable<void> send_archive(websocket::stream<beast::tcp_stream>& ws,
                                  std::vector<std::string> archive) {
    ws.text(true);
    for (auto const& item : archive)
        co_await ws.async_write(net::buffer(item), net::use_awaitable);
}

using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

class exchange_feed_client : public std::enable_shared_from_this<exchange_feed_client> {
public:
    exchange_feed_client(net::io_context& ioc, ssl::context& ctx)
        : ws_(net::make_strand(ioc), ctx), snapshot_timer_(ioc) {}

    // Subscriptions go through backlog_, written from backlog_[0].
    void subscribe(std::string const& symbol) {
        backlog_.push_back(json{{"op", "subscribe"}, {"args", {symbol}}}.dump());
        if (backlog_.size() > 1)
            return;
        ws_.async_write(net::buffer(backlog_[0]),
                        beast::bind_front_handler(&exchange_feed_client::on_write, shared_from_this()));
    }

    // Reconnect path: resend every subscription at once.
    void resubscribe_all() {
        for (std::size_t i = 0; i < backlog_.size(); ++i)
            ws_.async_write(net::buffer(backlog_[i]),  // expect: errorshield-ws-concurrent-write
                            [self = shared_from_this()](beast::error_code, std::size_t) {});
    }

    // Drains queued cancels as fast as it can, one write per loop turn.
    void flush_cancels() {
        while (auto next = next_cancel()) {
            cancels_in_flight_.push_back(std::move(*next));
            ws_.async_write(  // expect: errorshield-ws-concurrent-write
                net::buffer(cancels_in_flight_.back()),
                [self = shared_from_this()](beast::error_code, std::size_t) {});
        }
    }

    // Unsubscribe: writes the front but erases it before the write is done.
    void unsubscribe_front() {
        if (backlog_.empty())
            return;
        ws_.async_write(net::buffer(backlog_.front()),
                        [self = shared_from_this()](beast::error_code, std::size_t) {});
        backlog_.erase(backlog_.begin());  // expect: errorshield-ws-concurrent-write
    }

    // Periodic position snapshot sent from a timer, bypassing backlog_.
    void arm_snapshot() {
        snapshot_timer_.expires_after(std::chrono::seconds(5));
        snapshot_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec)
                return;
            self->last_snapshot_ = json{{"op", "positions"}, {"ts", std::time(nullptr)}}.dump();
            self->ws_.async_write(net::buffer(self->last_snapshot_),  // expect: errorshield-ws-concurrent-write
                                  [self](beast::error_code, std::size_t) {});
            self->arm_snapshot();
        });
    }

private:
    void on_write(beast::error_code ec, std::size_t) {
        if (ec)
            return;
        backlog_.erase(backlog_.begin());
        if (!backlog_.empty())
            ws_.async_write(net::buffer(backlog_[0]),
                            beast::bind_front_handler(&exchange_feed_client::on_write,
                                                      shared_from_this()));
    }

    std::optional<std::string> next_cancel();

    tls_ws ws_;
    net::steady_timer snapshot_timer_;
    std::vector<std::string> backlog_;
    std::deque<std::string> cancels_in_flight_;
    std::string last_snapshot_;
};
