// checks: errorshield-ws-concurrent-write
// Trading gateway: fans market-data ticks out to WebSocket subscribers, sends
// execution reports to strategy clients over a raw TCP session, and mirrors
// fills to two drop-copy endpoints.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Tick {
    std::string symbol;
    double bid = 0;
    double ask = 0;
    std::uint64_t seq = 0;
};

inline std::string encode_tick(const Tick& t) {
    return "{\"s\":\"" + t.symbol + "\",\"b\":" + std::to_string(t.bid) + ",\"a\":" + std::to_string(t.ask) +
           ",\"q\":" + std::to_string(t.seq) + "}";
}

// ---------------------------------------------------------------------------
// Market-data subscribers (WebSocket)

struct Subscriber {
    explicit Subscriber(tcp::socket s) : ws(std::move(s)) {}
    websocket::stream<beast::tcp_stream> ws;
    std::deque<std::string> pending;
    bool in_flight = false;
};

class MarketDataHub {
public:
    // Called by the feed handler for every top-of-book change.
    void on_tick(const Tick& t) {
        auto frame = std::make_shared<std::string>(encode_tick(t));
        for (auto& sub : subs_) {
            sub->ws.async_write(net::buffer(*frame), // expect: errorshield-ws-concurrent-write
                                [frame, sub](beast::error_code, std::size_t) {});
        }
    }

    // Snapshot path for late joiners: goes through the per-subscriber queue.
    void on_snapshot(const std::vector<Tick>& book) {
        for (auto& sub : subs_)
            for (const auto& t : book)
                enqueue(sub, encode_tick(t));
    }

    void add(std::shared_ptr<Subscriber> s) { subs_.push_back(std::move(s)); }

private:
    void enqueue(const std::shared_ptr<Subscriber>& sub, std::string frame) {
        sub->pending.push_back(std::move(frame));
        if (sub->in_flight)
            return;
        flush(sub);
    }

    void flush(const std::shared_ptr<Subscriber>& sub) {
        if (sub->pending.empty()) {
            sub->in_flight = false;
            return;
        }
        sub->in_flight = true;
        sub->ws.async_write(net::buffer(sub->pending.front()), [this, sub](beast::error_code ec, std::size_t) {
            if (ec)
                return;
            sub->pending.pop_front();
            flush(sub);
        });
    }

    std::vector<std::shared_ptr<Subscriber>> subs_;
};

// ---------------------------------------------------------------------------
// Strategy session (raw TCP, length-prefixed frames)

class StrategySession : public std::enable_shared_from_this<StrategySession> {
public:
    explicit StrategySession(tcp::socket s) : sock_(std::move(s)), heartbeat_(sock_.get_executor()) {}

    void start() { arm_heartbeat(); }

    // Heartbeats honour the writing_ flag.
    void arm_heartbeat() {
        heartbeat_.expires_after(std::chrono::seconds(1));
        heartbeat_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec)
                return;
            self->queue_frame("HB");
            self->arm_heartbeat();
        });
    }

    void queue_frame(std::string body) {
        outq_.push_back(std::move(body));
        if (!writing_)
            write_next();
    }

    // Execution reports are latency-critical and were made to skip the queue.
    void send_exec_report(const std::string& report) {
        exec_buf_ = report;
        net::async_write(sock_, net::buffer(exec_buf_), // expect: errorshield-ws-concurrent-write
                         [self = shared_from_this()](beast::error_code, std::size_t) {});
    }

    // Header and payload as two separate partial writes.
    void send_raw_frame(const std::string& payload) {
        hdr_ = static_cast<std::uint32_t>(payload.size());
        body_ = payload;
        sock_.async_write_some(net::buffer(&hdr_, sizeof hdr_),
                               [self = shared_from_this()](beast::error_code, std::size_t) {});
        sock_.async_write_some(net::buffer(body_), // expect: errorshield-ws-concurrent-write
                               [self = shared_from_this()](beast::error_code, std::size_t) {});
    }

private:
    void write_next() {
        if (outq_.empty()) {
            writing_ = false;
            return;
        }
        writing_ = true;
        cur_hdr_ = static_cast<std::uint32_t>(outq_.front().size());
        // Header and body gathered into one composed write.
        std::array<net::const_buffer, 2> bufs{net::buffer(&cur_hdr_, sizeof cur_hdr_), net::buffer(outq_.front())};
        net::async_write(sock_, bufs, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                return;
            self->outq_.pop_front();
            self->write_next();
        });
    }

    tcp::socket sock_;
    net::steady_timer heartbeat_;
    std::deque<std::string> outq_;
    bool writing_ = false;
    std::uint32_t cur_hdr_ = 0;
    std::uint32_t hdr_ = 0;
    std::string body_;
    std::string exec_buf_;
};

// ---------------------------------------------------------------------------
// Drop copy: every fill goes to a primary and a backup endpoint.

class DropCopy {
public:
    DropCopy(tcp::socket primary, tcp::socket backup) : primary_(std::move(primary)), backup_(std::move(backup)) {}

    // Two different sockets, one write each per fill; the next fill waits for both.
    void mirror_fill(std::string fill) {
        if (remaining_ > 0) {
            backlog_.push_back(std::move(fill));
            return;
        }
        fill_ = std::move(fill);
        remaining_ = 2;
        net::async_write(primary_, net::buffer(fill_), [this](beast::error_code, std::size_t) { done_one(); });
        net::async_write(backup_, net::buffer(fill_), [this](beast::error_code, std::size_t) { done_one(); });
    }

private:
    void done_one() {
        if (--remaining_ > 0 || backlog_.empty())
            return;
        std::string next = std::move(backlog_.front());
        backlog_.pop_front();
        mirror_fill(std::move(next));
    }

    tcp::socket primary_;
    tcp::socket backup_;
    std::deque<std::string> backlog_;
    std::string fill_;
    int remaining_ = 0;
};

// ---------------------------------------------------------------------------
// Coroutine-based risk alert channel: each write is awaited before the next.

net::awaitable<void> push_risk_alerts(websocket::stream<beast::tcp_stream>& ws, std::vector<std::string> alerts) {
    for (const auto& a : alerts)
        co_await ws.async_write(net::buffer(a), net::use_awaitable);
    co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

// Fire-and-forget margin call: spawned while the alert loop above may still
// be writing on the same stream.
void spawn_alerts(websocket::stream<beast::tcp_stream>& ws, std::vector<std::string> alerts, std::string margin_call) {
    auto ex = ws.get_executor();
    net::co_spawn(ex, push_risk_alerts(ws, std::move(alerts)), net::detached);
    auto msg = std::make_shared<std::string>(std::move(margin_call));
    ws.async_write(net::buffer(*msg), [msg](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
}
