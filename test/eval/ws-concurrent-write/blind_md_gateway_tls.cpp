// checks: errorshield-ws-concurrent-write
// Trading gateway: a market-data publisher templated over the transport
// (plain TCP for the co-located feed, TLS for external clients) and a FIX
// order session over a TLS socket.

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

template <class NextLayer>
class md_publisher {
public:
    template <class... Args>
    explicit md_publisher(Args&&... args) : ws_(std::forward<Args>(args)...) {}

    // Strand-confined. Queue, and only start a write if none is in flight.
    void publish(std::string frame) {
        outbox_.push_back(std::move(frame));
        if (outbox_.size() > 1)
            return;
        do_write();
    }

    // Snapshot on subscribe: written first, out of band. The author pops the
    // snapshot right after starting the write, so the buffer the write is
    // still reading from is destroyed (same bug as Beast issue #2739).
    void flush_snapshot(std::string snapshot) {
        if (!outbox_.empty())
            return;  // deltas already flowing; client rebuilds from them
        outbox_.push_back(std::move(snapshot));
        ws_.async_write(net::buffer(outbox_.front()),
                        beast::bind_front_handler(&md_publisher::on_snapshot, this));
        outbox_.pop_front();  // expect: errorshield-ws-concurrent-write
    }

private:
    // Pop happens inside the completion lambda, i.e. after the write finished.
    void do_write() {
        ws_.async_write(net::buffer(outbox_.front()), [this](beast::error_code ec, std::size_t) {
            if (ec)
                return;
            outbox_.pop_front();
            if (!outbox_.empty())
                do_write();
        });
    }

    void on_snapshot(beast::error_code, std::size_t) {}

    websocket::stream<NextLayer> ws_;
    std::deque<std::string> outbox_;
};

template class md_publisher<beast::tcp_stream>;
template class md_publisher<beast::ssl_stream<beast::tcp_stream>>;

// FIX 4.4 order-entry session over TLS. Raw net::async_write on the stream.
class order_session {
public:
    order_session(net::io_context& ioc, ssl::context& ctx)
        : stream_(ioc, ctx), hb_timer_(ioc) {}

    void enqueue(std::string fix_msg) {
        pending_.push(std::move(fix_msg));
        if (pending_.size() > 1)
            return;
        net::async_write(stream_, net::buffer(pending_.front()),
                         std::bind(&order_session::on_write, this, std::placeholders::_1,
                                   std::placeholders::_2));
    }

    void start_heartbeat() {
        hb_timer_.expires_after(std::chrono::seconds(30));
        hb_timer_.async_wait([this](boost::system::error_code ec) {
            if (ec)
                return;
            send_heartbeat();
            start_heartbeat();
        });
    }

private:
    void on_write(boost::system::error_code ec, std::size_t) {
        if (ec)
            return;
        pending_.pop();
        if (!pending_.empty())
            net::async_write(stream_, net::buffer(pending_.front()),
                             std::bind(&order_session::on_write, this, std::placeholders::_1,
                                       std::placeholders::_2));
    }

    // Heartbeat bypasses pending_: it can overlap an order write in flight
    // and interleave bytes on the wire.
    void send_heartbeat() {
        heartbeat_ = "8=FIX.4.4\x01" "35=0\x01" "10=000\x01";
        net::async_write(stream_, net::buffer(heartbeat_),  // expect: errorshield-ws-concurrent-write
                         [](boost::system::error_code, std::size_t) {});
    }

    ssl::stream<tcp::socket> stream_;
    net::steady_timer hb_timer_;
    std::queue<std::string> pending_;
    std::string heartbeat_;
};
