// checks: errorshield-ws-close-code
// Surtitle push service: seat-back displays and the house tablets subscribe to
// a performance over WebSocket; the surtitle operator's console drives the cues.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace surtitles {

// Application close codes agreed with the seat-display firmware team.
constexpr std::uint16_t kSeatReassigned = 4003;
constexpr std::uint16_t kLanguageWithdrawn = 4010;
constexpr std::uint16_t kHoldForStageManager = 2001;

struct Cue {
    int index = 0;
    std::string lang;
    std::string text;
    bool clear = false;
};

inline std::string to_wire(const Cue& c) {
    json j{{"type", "cue"}, {"i", c.index}, {"lang", c.lang}, {"text", c.text}, {"clear", c.clear}};
    return j.dump();
}

// Picks a code that is legal to put in a close frame, whatever the caller had.
inline std::uint16_t wire_safe_code(std::uint16_t code) {
    if (code < 1000 || code >= 5000)
        return websocket::close_code::internal_error;
    if (code == websocket::close_code::reserved1 || code == websocket::close_code::no_status ||
        code == websocket::close_code::abnormal || code == websocket::close_code::reserved2 ||
        code == websocket::close_code::reserved3)
        return websocket::close_code::internal_error;
    if (code > 1015 && code < 3000)
        return websocket::close_code::internal_error;
    return code;
}

inline const char* describe_peer_close(std::uint16_t code) {
    switch (code) {
    case websocket::close_code::normal: return "display powered down";
    case websocket::close_code::going_away: return "display rebooting";
    case websocket::close_code::abnormal: return "link dropped";
    case websocket::close_code::no_status: return "closed without status";
    default: return "other";
    }
}

class SeatSession;

class PerformanceHub {
public:
    void join(const std::shared_ptr<SeatSession>& s) {
        std::lock_guard lk(mu_);
        seats_.insert(s);
    }
    void leave(const std::shared_ptr<SeatSession>& s) {
        std::lock_guard lk(mu_);
        seats_.erase(s);
    }
    std::set<std::shared_ptr<SeatSession>> snapshot() {
        std::lock_guard lk(mu_);
        return seats_;
    }

private:
    std::mutex mu_;
    std::set<std::shared_ptr<SeatSession>> seats_;
};

class SeatSession : public std::enable_shared_from_this<SeatSession> {
public:
    SeatSession(tcp::socket sock, PerformanceHub& hub) : ws_(std::move(sock)), hub_(hub) {}

    void start() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(16 * 1024);
        ws_.async_accept(beast::bind_front_handler(&SeatSession::on_accept, shared_from_this()));
    }

    void push(const Cue& cue) {
        net::post(ws_.get_executor(), [self = shared_from_this(), msg = to_wire(cue)]() mutable {
            self->enqueue(std::move(msg));
        });
    }

    // End of the performance: the curtain call is over.
    void curtain_down() {
        ws_.async_close(websocket::close_code::normal,
                        beast::bind_front_handler(&SeatSession::on_close, shared_from_this()));
    }

    void intermission(bool house_closing) {
        if (house_closing)
            ws_.async_close({websocket::close_code::going_away, "house closing"},
                            beast::bind_front_handler(&SeatSession::on_close, shared_from_this()));
        else
            ws_.async_close(kHoldForStageManager, // expect: errorshield-ws-close-code
                            beast::bind_front_handler(&SeatSession::on_close, shared_from_this()));
    }

    void reassign_seat() {
        ws_.async_close({static_cast<websocket::close_code>(kSeatReassigned), "seat moved"},
                        beast::bind_front_handler(&SeatSession::on_close, shared_from_this()));
    }

    void abort_with(std::uint16_t code, std::string_view why) {
        websocket::close_reason cr{static_cast<websocket::close_code>(code), why};
        ws_.async_close(cr, beast::bind_front_handler(&SeatSession::on_close, shared_from_this()));
    }

    const std::string& language() const { return lang_; }

private:
    void on_accept(beast::error_code ec) {
        if (ec)
            return;
        hub_.join(shared_from_this());
        do_read();
    }

    void do_read() {
        ws_.async_read(buf_, beast::bind_front_handler(&SeatSession::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == websocket::error::closed) {
            std::cerr << "seat " << seat_ << ": " << describe_peer_close(ws_.reason().code) << "\n";
            hub_.leave(shared_from_this());
            return;
        }
        if (ec) {
            hub_.leave(shared_from_this());
            return;
        }
        auto body = beast::buffers_to_string(buf_.data());
        buf_.consume(buf_.size());

        json msg = json::parse(body, nullptr, false);
        if (msg.is_discarded() || !msg.is_object()) {
            ws_.async_close({websocket::close_code::bad_payload, "expected json"},
                            beast::bind_front_handler(&SeatSession::on_close, shared_from_this()));
            return;
        }
        const auto type = msg.value("type", std::string{});
        if (type == "hello") {
            seat_ = msg.value("seat", std::string{"?"});
            lang_ = msg.value("lang", std::string{"en"});
            if (!supported(lang_)) {
                ws_.async_close({static_cast<websocket::close_code>(kLanguageWithdrawn), "language not offered"},
                                beast::bind_front_handler(&SeatSession::on_close, shared_from_this()));
                return;
            }
        } else if (type == "ack") {
            missed_acks_ = 0;
        } else if (type == "ticket") {
            if (!msg.contains("barcode")) {
                ws_.async_close(websocket::close_reason(403), // expect: errorshield-ws-close-code
                                beast::bind_front_handler(&SeatSession::on_close, shared_from_this()));
                return;
            }
        } else if (type == "heartbeat") {
            if (++missed_acks_ > 5) {
                ws_.async_close({websocket::close_code::abnormal, "display stalled"}, // expect: errorshield-ws-close-code
                                beast::bind_front_handler(&SeatSession::on_close, shared_from_this()));
                return;
            }
        } else {
            ws_.async_close(websocket::close_code::policy_error,
                            beast::bind_front_handler(&SeatSession::on_close, shared_from_this()));
            return;
        }
        do_read();
    }

    void enqueue(std::string msg) {
        queue_.push_back(std::move(msg));
        if (queue_.size() > 1)
            return;
        write_next();
    }

    void write_next() {
        ws_.text(true);
        ws_.async_write(net::buffer(queue_.front()),
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec)
                                return;
                            self->queue_.pop_front();
                            if (!self->queue_.empty())
                                self->write_next();
                        });
    }

    void on_close(beast::error_code) { hub_.leave(shared_from_this()); }

    static bool supported(const std::string& lang) {
        return lang == "en" || lang == "de" || lang == "it" || lang == "fr";
    }

    websocket::stream<beast::tcp_stream> ws_;
    PerformanceHub& hub_;
    beast::flat_buffer buf_;
    std::deque<std::string> queue_;
    std::string seat_;
    std::string lang_ = "en";
    int missed_acks_ = 0;
};

// Drops a display after a failure on its side; the reason text shows on the
// usher's tablet.
inline void drop_display(const std::shared_ptr<SeatSession>& s, std::uint16_t code, std::string_view why) {
    std::cerr << "dropping display: " << why << "\n";
    s->abort_with(code, why);
}

// Operator console: a single tablet that fires cues.  Written as a coroutine.
net::awaitable<void> operator_console(tcp::socket sock, PerformanceHub& hub) {
    websocket::stream<beast::tcp_stream> ws(std::move(sock));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.read_message_max(64 * 1024);
    co_await ws.async_accept(net::use_awaitable);

    beast::flat_buffer buf;
    for (;;) {
        auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(net::use_awaitable));
        if (ec)
            co_return;
        json cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
        buf.consume(n);
        if (cmd.is_discarded()) {
            co_await ws.async_close(websocket::close_code::bad_payload, net::use_awaitable);
            co_return;
        }
        const auto op = cmd.value("op", std::string{});
        if (op == "cue") {
            Cue c{cmd.value("i", 0), cmd.value("lang", std::string{"en"}), cmd.value("text", std::string{}), false};
            for (auto& seat : hub.snapshot())
                if (seat->language() == c.lang)
                    seat->push(c);
        } else if (op == "blackout") {
            for (auto& seat : hub.snapshot())
                seat->push(Cue{cmd.value("i", 0), seat->language(), "", true});
        } else if (op == "evict") {
            const auto code = static_cast<std::uint16_t>(cmd.value("code", 1000));
            for (auto& seat : hub.snapshot())
                seat->abort_with(wire_safe_code(code), "evicted by operator");
        } else if (op == "panic") {
            for (auto& seat : hub.snapshot())
                drop_display(seat, websocket::close_code::no_status, "show stopped"); // expect: errorshield-ws-close-code
            co_await ws.async_close(websocket::close_code::try_again_later, net::use_awaitable);
            co_return;
        } else if (op == "final") {
            for (auto& seat : hub.snapshot())
                seat->curtain_down();
            co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
            co_return;
        }
    }
}

// Archive replay listeners sit behind a different port and may be rejected
// when the rights for a recording lapse.
template <class WsStream>
void reject_replay(WsStream& ws, bool rights_lapsed) {
    beast::error_code ec;
    if (rights_lapsed)
        ws.close(websocket::close_code::reserved3, ec); // expect: errorshield-ws-close-code
    else
        ws.close({static_cast<websocket::close_code>(3008), "recording unavailable"}, ec);
}

void serve_replay(tcp::socket sock, bool rights_lapsed) {
    websocket::stream<tcp::socket> ws(std::move(sock));
    beast::error_code ec;
    ws.accept(ec);
    if (ec)
        return;
    reject_replay(ws, rights_lapsed);
}

class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(net::io_context& ioc, tcp::endpoint ep, PerformanceHub& hub) : ioc_(ioc), acc_(ioc, ep), hub_(hub) {}

    void run() { accept_next(); }

private:
    void accept_next() {
        acc_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
            if (!ec)
                std::make_shared<SeatSession>(std::move(s), self->hub_)->start();
            self->accept_next();
        });
    }

    net::io_context& ioc_;
    tcp::acceptor acc_;
    PerformanceHub& hub_;
};

} // namespace surtitles

int main() {
    net::io_context ioc{2};
    surtitles::PerformanceHub hub;
    std::make_shared<surtitles::Listener>(ioc, tcp::endpoint{tcp::v4(), 8470}, hub)->run();

    tcp::acceptor console_acc(ioc, {tcp::v4(), 8471});
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            for (;;) {
                auto s = co_await console_acc.async_accept(net::use_awaitable);
                net::co_spawn(ioc, surtitles::operator_console(std::move(s), hub), net::detached);
            }
        },
        net::detached);
    ioc.run();
}
