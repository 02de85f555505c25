// checks: errorshield-ws-timeouts
// Simultaneous-interpretation hub for a conference centre. Booth consoles
// report which language channel is live and relay audio-channel state,
// delegates' receivers subscribe to a channel, and the hub talks to the
// floor mixer and a live-captioning service as a client.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <exception>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace interp {

struct ChannelState {
    std::string language;  // "fr", "es", "zh"...
    int booth = 0;
    bool relay = false;    // interpreting from another booth, not the floor
    bool live = false;
};

class ChannelRegistry {
public:
    void set(const ChannelState& st) {
        std::lock_guard<std::mutex> lk(mu_);
        channels_[st.language] = st;
    }

private:
    std::mutex mu_;
    std::map<std::string, ChannelState> channels_;
};

template <class NextLayer>
void apply_booth_timeouts(websocket::stream<NextLayer>& ws) {
    websocket::stream_base::timeout t{};
    t.handshake_timeout = 10s;
    t.idle_timeout = 20s;
    t.keep_alive_pings = true;
    ws.set_option(t);
}

// ---------------------------------------------------------------------------
// Interpreter booth console.
class BoothConsoleSession : public std::enable_shared_from_this<BoothConsoleSession> {
public:
    BoothConsoleSession(tcp::socket s, ChannelRegistry& reg) : ws_(std::move(s)), reg_(reg) {}

    void run() {
        beast::get_lowest_layer(ws_).expires_never();
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(8 * 1024);
        ws_.async_accept(beast::bind_front_handler(&BoothConsoleSession::on_accept, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return;
        read();
    }

    void read() {
        ws_.async_read(buf_, beast::bind_front_handler(&BoothConsoleSession::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return;
        auto j = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
        buf_.consume(buf_.size());
        if (j.is_object())
            reg_.set({j.value("lang", ""), j.value("booth", 0), j.value("relay", false), j.value("live", false)});
        read();
    }

    websocket::stream<beast::tcp_stream> ws_;  // OK
    beast::flat_buffer buf_;
    ChannelRegistry& reg_;
};

// ---------------------------------------------------------------------------
// Delegate receiver (tablet app): picks a language, gets channel updates.
class ListenerSession : public std::enable_shared_from_this<ListenerSession> {
public:
    explicit ListenerSession(tcp::socket s) : ws_(std::move(s)) {}

    void start() {
        beast::get_lowest_layer(ws_).expires_never();
        ws_.read_message_max(1024);
        ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
            res.set(beast::http::field::server, "interp-hub");
        }));
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->wait_for_choice();
        });
    }

private:
    void wait_for_choice() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->language_ = beast::buffers_to_string(self->buf_.data());
            self->buf_.clear();
            self->wait_for_choice();
        });
    }

    websocket::stream<beast::tcp_stream> ws_; // expect: errorshield-ws-timeouts
    beast::flat_buffer buf_;
    std::string language_;
};

// ---------------------------------------------------------------------------
// Technician console: the acceptor hands the session over and the listener
// code configures it through the accessor before starting.
class TechConsoleSession : public std::enable_shared_from_this<TechConsoleSession> {
public:
    explicit TechConsoleSession(tcp::socket s) : ws_(std::move(s)) {}
    websocket::stream<beast::tcp_stream>& stream() { return ws_; }

    void begin() {
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->loop();
        });
    }

private:
    void loop() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->buf_.clear();
            self->loop();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;  // OK: configured by accept_tech_console
    beast::flat_buffer buf_;
};

void accept_tech_console(tcp::socket sock) {
    auto session = std::make_shared<TechConsoleSession>(std::move(sock));
    session->stream().set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    session->begin();
}

// ---------------------------------------------------------------------------
// Booth-to-booth relay leg (pivot language). Generic over the transport.
template <class Stream>
class RelayLeg : public std::enable_shared_from_this<RelayLeg<Stream>> {
public:
    explicit RelayLeg(Stream s) : ws_(std::move(s)) {}

    void start(std::string pivot) {
        pivot_ = std::move(pivot);
        ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
            if (!ec) self->forward();
        });
    }

private:
    void forward() {
        ws_.async_read(buf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->buf_.clear();
            self->forward();
        });
    }

    websocket::stream<Stream> ws_; // expect: errorshield-ws-timeouts
    beast::flat_buffer buf_;
    std::string pivot_;
};

template class RelayLeg<beast::tcp_stream>;

// ---------------------------------------------------------------------------
// Floor mixer: the hub is a client and receives "floor language" changes.
net::awaitable<void> floor_mixer_link(std::string host, ChannelRegistry& reg) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver resolver(ex);
    websocket::stream<beast::tcp_stream> ws(ex);
    auto eps = co_await resolver.async_resolve(host, "9000", net::use_awaitable);
    co_await beast::get_lowest_layer(ws).async_connect(eps, net::use_awaitable);
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client)); // expect: errorshield-ws-timeouts
    co_await ws.async_handshake(host, "/floor", net::use_awaitable);

    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read(buf, net::use_awaitable);
        auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
        buf.consume(buf.size());
        if (j.is_object()) reg.set({j.value("floor", "en"), 0, false, true});
    }
}

// Audience microphone queue: client role too, but with an idle limit.
net::awaitable<void> question_queue_link(std::string host) {
    auto ex = co_await net::this_coro::executor;
    websocket::stream<beast::tcp_stream> ws(ex);
    tcp::resolver resolver(ex);
    co_await beast::get_lowest_layer(ws).async_connect(
        co_await resolver.async_resolve(host, "9100", net::use_awaitable), net::use_awaitable);
    beast::get_lowest_layer(ws).expires_never();
    auto opt = websocket::stream_base::timeout::suggested(beast::role_type::client);
    opt.idle_timeout = 30s;
    opt.keep_alive_pings = true;
    ws.set_option(opt); // OK
    co_await ws.async_handshake(host, "/queue", net::use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read(buf, net::use_awaitable);
        buf.clear();
    }
}

// ---------------------------------------------------------------------------
// Live captioning: primary provider, with a backup provider if the primary
// refuses the handshake.
net::awaitable<void> stream_captions(websocket::stream<beast::tcp_stream>& ws, std::string host) {
    co_await ws.async_handshake(host, "/captions", net::use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read(buf, net::use_awaitable);
        std::cout << beast::buffers_to_string(buf.data()) << "\n";
        buf.consume(buf.size());
    }
}

net::awaitable<void> caption_feed(std::string primary_host, std::string backup_host) {
    auto ex = co_await net::this_coro::executor;
    tcp::resolver resolver(ex);
    try {
        websocket::stream<beast::tcp_stream> primary(ex);
        co_await beast::get_lowest_layer(primary).async_connect(
            co_await resolver.async_resolve(primary_host, "443", net::use_awaitable), net::use_awaitable);
        beast::get_lowest_layer(primary).expires_never();
        apply_booth_timeouts(primary);
        co_await stream_captions(primary, primary_host);
    } catch (const std::exception& e) {
        std::cerr << "primary captions failed: " << e.what() << "\n";
    }

    websocket::stream<beast::tcp_stream> backup(ex); // expect: errorshield-ws-timeouts
    co_await beast::get_lowest_layer(backup).async_connect(
        co_await resolver.async_resolve(backup_host, "443", net::use_awaitable), net::use_awaitable);
    beast::get_lowest_layer(backup).expires_never();
    co_await stream_captions(backup, backup_host);
}

}  // namespace interp
