// checks: errorshield-ws-blocking-in-handler
// Order-entry gateway: traders submit orders over WebSocket, the gateway runs
// pre-trade risk, forwards to the exchange session over a binary TCP link and
// journals every order. Web sessions use C++20 coroutines; the FIX-bridge
// sessions still use stackful coroutines (yield_context).
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <future>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::use_awaitable;
using json = nlohmann::json;

struct Order {
    std::string cl_ord_id;
    std::string symbol;
    std::int64_t px = 0;
    std::uint32_t qty = 0;
};

struct RiskVerdict {
    bool ok = true;
    std::string reason;
};

// Synchronous risk-engine library call (takes locks, may touch shared memory).
RiskVerdict risk_engine_check(const Order& o) {
    return RiskVerdict{o.qty <= 100'000, o.qty <= 100'000 ? "" : "qty limit"};
}

static Order parse_order(const std::string& body) {
    auto j = json::parse(body, nullptr, false);
    Order o;
    if (j.is_discarded()) return o;
    o.cl_ord_id = j.value("clOrdId", "");
    o.symbol = j.value("sym", "");
    o.px = j.value("px", std::int64_t{0});
    o.qty = j.value("qty", std::uint32_t{0});
    return o;
}

class OrderRouter {
public:
    OrderRouter(net::io_context& ioc, tcp::socket exchange_link)
        : ioc_(ioc), exchange_(std::move(exchange_link)), pool_(4) {}

    net::awaitable<void> web_session(tcp::socket socket) {
        websocket::stream<beast::tcp_stream> ws(std::move(socket));
        co_await ws.async_accept(use_awaitable);
        beast::flat_buffer buf;
        for (;;) {
            co_await ws.async_read(buf, use_awaitable);
            Order o = parse_order(beast::buffers_to_string(buf.data()));
            buf.consume(buf.size());

            // Risk runs on the pool so the io thread keeps serving other traders.
            RiskVerdict v = co_await net::co_spawn(
                pool_, [o]() -> net::awaitable<RiskVerdict> { co_return risk_engine_check(o); },
                use_awaitable);
            if (!v.ok) {
                std::string rej = json{{"op", "reject"}, {"clOrdId", o.cl_ord_id}, {"reason", v.reason}}.dump();
                co_await ws.async_write(net::buffer(rej), use_awaitable);
                continue;
            }

            journal_async(o);
            std::array<std::uint8_t, 8> exch_ack{};
            co_await forward_to_exchange(o);
            co_await net::async_read(exchange_, net::buffer(exch_ack), use_awaitable);

            std::string ack = json{{"op", "ack"}, {"clOrdId", o.cl_ord_id}}.dump();
            co_await ws.async_write(net::buffer(ack), use_awaitable);
        }
    }

    // Legacy path used by the "fast" order button; kept for A/B comparison.
    net::awaitable<void> web_session_legacy(tcp::socket socket) {
        websocket::stream<beast::tcp_stream> ws(std::move(socket));
        co_await ws.async_accept(use_awaitable);
        beast::flat_buffer buf;
        for (;;) {
            co_await ws.async_read(buf, use_awaitable);
            Order o = parse_order(beast::buffers_to_string(buf.data()));
            buf.consume(buf.size());

            std::future<RiskVerdict> risk =
                std::async(std::launch::async, risk_engine_check, o);
            RiskVerdict v = risk.get();  // expect: errorshield-ws-blocking-in-handler
            if (!v.ok) continue;

            std::thread journaler([o] {
                std::ofstream j("/var/log/oms/journal.log", std::ios::app);
                j << o.cl_ord_id << ',' << o.symbol << ',' << o.px << ',' << o.qty << '\n';
            });
            journaler.join();  // expect: errorshield-ws-blocking-in-handler

            co_await forward_to_exchange(o);
            std::array<std::uint8_t, 8> exch_ack{};
            net::read(exchange_, net::buffer(exch_ack));  // expect: errorshield-ws-blocking-in-handler

            std::string ack = json{{"op", "ack"}, {"clOrdId", o.cl_ord_id}}.dump();
            co_await ws.async_write(net::buffer(ack), use_awaitable);
        }
    }

    // FIX-bridge sessions: stackful coroutines on the same io_context.
    void spawn_bridge_session(tcp::socket socket) {
        net::spawn(ioc_, [this, s = std::move(socket)](net::yield_context yield) mutable {
            websocket::stream<tcp::socket> ws(std::move(s));
            beast::error_code ec;
            ws.async_accept(yield[ec]);
            if (ec) return;
            beast::flat_buffer buf;
            net::steady_timer backoff(ioc_);
            for (;;) {
                ws.async_read(buf, yield[ec]);
                if (ec) return;
                Order o = parse_order(beast::buffers_to_string(buf.data()));
                buf.consume(buf.size());
                if (o.qty == 0) {
                    // Malformed order from the bridge: back off before reading again.
                    backoff.expires_after(std::chrono::milliseconds(200));
                    backoff.async_wait(yield[ec]);
                    continue;
                }
                if (exchange_throttled_) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // expect: errorshield-ws-blocking-in-handler
                }
                journal_async(o);
                std::string ack = json{{"op", "ack"}, {"clOrdId", o.cl_ord_id}}.dump();
                ws.write(net::buffer(ack), ec);  // expect: errorshield-ws-blocking-in-handler
                if (ec) return;
            }
        }, net::detached);
    }

    void stop() { pool_.join(); }

private:
    net::awaitable<void> forward_to_exchange(const Order& o) {
        std::array<char, 32> frame{};
        std::snprintf(frame.data(), frame.size(), "%.10s%08u", o.symbol.c_str(), o.qty);
        co_await net::async_write(exchange_, net::buffer(frame), use_awaitable);
    }

    // Journal writes are blocking disk I/O, so they go through the pool.
    void journal_async(const Order& o) {
        net::post(pool_, [o] {
            std::ofstream j("/var/log/oms/journal.log", std::ios::app);
            j << o.cl_ord_id << ',' << o.symbol << ',' << o.px << ',' << o.qty << '\n';
            j.flush();
        });
    }

    net::io_context& ioc_;
    tcp::socket exchange_;
    net::thread_pool pool_;
    bool exchange_throttled_ = false;
};

// Ops utility: replays a journal file to a UAT exchange link, one order per 10ms.
// Runs as its own process with no event loop of its own.
int replay_journal(const std::string& path, const std::string& host, const std::string& port) {
    net::io_context ioc;
    tcp::socket link(ioc);
    net::connect(link, tcp::resolver(ioc).resolve(host, port));
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        net::write(link, net::buffer(line + "\n"));
        std::array<std::uint8_t, 8> ack{};
        net::read(link, net::buffer(ack));
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return 0;
}
