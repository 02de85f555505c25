// checks: errorshield-ws-frame-type
// Market-data gateway: colocated algo clients receive packed top-of-book
// structs, the web blotter receives JSON. One coroutine per connection.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::use_awaitable;
using json = nlohmann::json;
using ws_stream = websocket::stream<beast::tcp_stream>;

#pragma pack(push, 1)
struct TopOfBook {
    std::uint32_t instrument_id;
    std::int64_t bid_px;   // price * 1e8
    std::int64_t ask_px;
    std::uint32_t bid_qty;
    std::uint32_t ask_qty;
    std::uint64_t seq;
};
struct BookDeltaHeader {
    std::uint32_t instrument_id;
    std::uint16_t level_count;
    std::uint16_t flags;
};
#pragma pack(pop)

struct ExecReport {
    std::string cl_ord_id;
    std::string symbol;
    double fill_px;
    std::uint32_t fill_qty;
};

enum class ClientKind { algo, blotter };

// Pulls the next top-of-book update from the in-process feed handler.
net::awaitable<TopOfBook> next_tick(std::uint64_t seq) {
    co_return TopOfBook{42, 1'234'500'000, 1'234'600'000, 100, 200, seq};
}

static std::string to_hex(const std::uint8_t* p, std::size_t n) {
    std::string out;
    out.reserve(n * 2);
    char tmp[3];
    for (std::size_t i = 0; i < n; ++i) {
        std::snprintf(tmp, sizeof tmp, "%02x", p[i]);
        out += tmp;
    }
    return out;
}

net::awaitable<void> stream_algo_ticks(ws_stream& ws) {
    ws.binary(true);
    for (std::uint64_t seq = 1;; ++seq) {
        TopOfBook tob = co_await next_tick(seq);
        co_await ws.async_write(net::buffer(&tob, sizeof tob), use_awaitable);
    }
}

net::awaitable<void> stream_blotter_ticks(ws_stream& ws) {
    ws.text(true);
    for (std::uint64_t seq = 1;; ++seq) {
        TopOfBook tob = co_await next_tick(seq);
        if (seq % 64 == 0) {
            // Debug tap for the blotter's "raw" panel.
            co_await ws.async_write(net::buffer(&tob, sizeof tob), use_awaitable);  // expect: errorshield-ws-frame-type
            continue;
        }
        json j = {{"i", tob.instrument_id}, {"b", tob.bid_px / 1e8}, {"a", tob.ask_px / 1e8},
                  {"bq", tob.bid_qty}, {"aq", tob.ask_qty}, {"s", tob.seq}};
        std::string body = j.dump();
        co_await ws.async_write(net::buffer(body), use_awaitable);
    }
}

net::awaitable<void> send_depth_delta(ws_stream& ws, std::uint32_t instrument,
                                      const std::vector<std::int64_t>& levels) {
    std::vector<char> frame(sizeof(BookDeltaHeader) + levels.size() * sizeof(std::int64_t));
    BookDeltaHeader hdr{instrument, static_cast<std::uint16_t>(levels.size()), 0};
    std::memcpy(frame.data(), &hdr, sizeof hdr);
    std::memcpy(frame.data() + sizeof hdr, levels.data(), levels.size() * sizeof(std::int64_t));
    ws.text(true);
    co_await ws.async_write(net::buffer(frame), use_awaitable);  // expect: errorshield-ws-frame-type
}

net::awaitable<void> send_exec_report(ws_stream& ws, const ExecReport& er) {
    json j = {{"type", "exec"}, {"clOrdId", er.cl_ord_id}, {"sym", er.symbol},
              {"px", er.fill_px}, {"qty", er.fill_qty}};
    std::string payload = j.dump();
    ws.binary(true);
    co_await ws.async_write(net::buffer(payload), use_awaitable);  // expect: errorshield-ws-frame-type
}

net::awaitable<void> send_snapshot_digest(ws_stream& ws, const std::vector<std::uint8_t>& snap) {
    // The blotter only needs a fingerprint of the snapshot, shown in the status bar.
    std::array<std::uint8_t, 16> digest{};
    for (std::size_t i = 0; i < snap.size(); ++i) digest[i % digest.size()] ^= snap[i];
    json j = {{"type", "snapshot"}, {"bytes", snap.size()},
              {"digest", to_hex(digest.data(), digest.size())}};
    std::string text = j.dump();
    ws.text(true);
    co_await ws.async_write(net::buffer(text), use_awaitable);
}

void send_book_snapshot_sync(ws_stream& ws, const json& book) {
    // Used by the replay tool, which drives the stream synchronously.
    std::vector<std::uint8_t> bson = json::to_bson(book);
    ws.text(true);
    ws.write(net::buffer(bson));  // expect: errorshield-ws-frame-type
}

void send_book_snapshot_sync_fixed(ws_stream& ws, const json& book) {
    std::vector<std::uint8_t> bson = json::to_bson(book);
    ws.binary(true);
    ws.write(net::buffer(bson));
}

net::awaitable<void> handle_client(tcp::socket socket) {
    ws_stream ws(std::move(socket));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws.async_accept(use_awaitable);

    beast::flat_buffer buf;
    co_await ws.async_read(buf, use_awaitable);
    auto login = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());

    ClientKind kind = (!login.is_discarded() && login.value("kind", "") == "algo")
                          ? ClientKind::algo
                          : ClientKind::blotter;

    json ack = {{"type", "login_ack"}, {"kind", kind == ClientKind::algo ? "algo" : "blotter"}};
    std::string ack_text = ack.dump();
    ws.text(true);
    co_await ws.async_write(net::buffer(ack_text), use_awaitable);

    if (kind == ClientKind::algo) {
        co_await stream_algo_ticks(ws);
    } else {
        co_await stream_blotter_ticks(ws);
    }
}

// Loopback diagnostics endpoint: echoes whatever the ops tool sends, preserving type.
net::awaitable<void> echo_diagnostics(tcp::socket socket) {
    ws_stream ws(std::move(socket));
    co_await ws.async_accept(use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read(buf, use_awaitable);
        ws.text(ws.got_text());
        co_await ws.async_write(buf.data(), use_awaitable);
        buf.consume(buf.size());
    }
}

net::awaitable<void> listen(tcp::acceptor& acceptor) {
    for (;;) {
        tcp::socket s = co_await acceptor.async_accept(use_awaitable);
        net::co_spawn(acceptor.get_executor(), handle_client(std::move(s)), net::detached);
    }
}
