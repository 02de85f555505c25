// checks: errorshield-ws-concurrent-write
// Chat room service: each WebSocket session joins a room; messages posted by
// one member are fanned out to everybody else in the room. Typing notices and
// presence updates are driven by per-session timers.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <set>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class ChatSession;

class Room {
public:
    void join(const std::shared_ptr<ChatSession>& s) { members_.insert(s); }
    void leave(const std::shared_ptr<ChatSession>& s) { members_.erase(s); }

    // Used by the "system announcement" admin endpoint.
    void announce(const std::string& text);
    // Used for ordinary chat traffic.
    void deliver(const std::string& text);

private:
    std::set<std::shared_ptr<ChatSession>> members_;
};

class ChatSession : public std::enable_shared_from_this<ChatSession> {
public:
    ChatSession(tcp::socket sock, Room& room)
        : ws_(std::move(sock)),
          room_(room),
          typing_timer_(ws_.get_executor()),
          presence_timer_(ws_.get_executor()),
          keepalive_timer_(ws_.get_executor()) {}

    websocket::stream<beast::tcp_stream>& stream() { return ws_; }

    void run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.async_accept(beast::bind_front_handler(&ChatSession::on_accept, shared_from_this()));
    }

    // Every outbound frame is supposed to go through here.
    void send(std::shared_ptr<const std::string> msg) {
        outbox_.push_back(std::move(msg));
        if (outbox_.size() > 1)
            return;  // a write is already in progress; on_write will pick it up
        ws_.async_write(net::buffer(*outbox_.front()),
                        beast::bind_front_handler(&ChatSession::on_write, shared_from_this()));
    }

    void request_close() {
        closing_ = true;
        if (outbox_.empty())
            ws_.async_close(websocket::close_code::normal,
                            beast::bind_front_handler(&ChatSession::on_close, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec)
            return;
        room_.join(shared_from_this());
        schedule_presence();
        schedule_keepalive();
        do_read();
    }

    void do_read() {
        ws_.async_read(inbuf_, beast::bind_front_handler(&ChatSession::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) {
            room_.leave(shared_from_this());
            return;
        }
        std::string text = beast::buffers_to_string(inbuf_.data());
        inbuf_.consume(inbuf_.size());

        if (text == "/ping") {
            // quick liveness reply for the mobile client
            ws_.async_write(net::buffer(pong_reply_), // expect: errorshield-ws-concurrent-write
                            [self = shared_from_this()](beast::error_code, std::size_t) {});
        } else if (text == "/typing") {
            schedule_typing_notice();
        } else {
            room_.deliver(text);
        }
        do_read();
    }

    void on_write(beast::error_code ec, std::size_t) {
        if (ec) {
            room_.leave(shared_from_this());
            return;
        }
        outbox_.pop_front();
        if (!outbox_.empty()) {
            ws_.async_write(net::buffer(*outbox_.front()),
                            beast::bind_front_handler(&ChatSession::on_write, shared_from_this()));
        } else if (closing_) {
            ws_.async_close(websocket::close_code::normal,
                            beast::bind_front_handler(&ChatSession::on_close, shared_from_this()));
        }
    }

    void on_close(beast::error_code) { room_.leave(shared_from_this()); }

    void schedule_typing_notice() {
        typing_timer_.expires_after(std::chrono::milliseconds(300));
        typing_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec)
                return;
            self->ws_.async_write(net::buffer(self->typing_notice_), // expect: errorshield-ws-concurrent-write
                                  [self](beast::error_code, std::size_t) {});
        });
    }

    void schedule_presence() {
        presence_timer_.expires_after(std::chrono::seconds(30));
        presence_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec)
                return;
            self->send(std::make_shared<const std::string>(R"({"type":"presence","state":"online"})"));
            self->schedule_presence();
        });
    }

    // Control frames have their own slot in Beast; a ping may overlap a data write.
    void schedule_keepalive() {
        keepalive_timer_.expires_after(std::chrono::seconds(15));
        keepalive_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec)
                return;
            self->ws_.async_ping({}, [self](beast::error_code ec2) {
                if (!ec2)
                    self->schedule_keepalive();
            });
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    Room& room_;
    beast::flat_buffer inbuf_;
    std::deque<std::shared_ptr<const std::string>> outbox_;
    bool closing_ = false;
    net::steady_timer typing_timer_;
    net::steady_timer presence_timer_;
    net::steady_timer keepalive_timer_;
    std::string pong_reply_ = R"({"type":"pong"})";
    std::string typing_notice_ = R"({"type":"typing_ack"})";
};

void Room::announce(const std::string& text) {
    auto payload = std::make_shared<const std::string>(text);
    for (const auto& member : members_) {
        member->stream().text(true);
        member->stream().async_write(net::buffer(*payload), // expect: errorshield-ws-concurrent-write
                                     [payload, member](beast::error_code, std::size_t) {});
    }
}

void Room::deliver(const std::string& text) {
    auto payload = std::make_shared<const std::string>(text);
    for (const auto& member : members_)
        member->send(payload);
}

// Admin kick: closes every session in the room immediately.
void kick_all(std::set<std::shared_ptr<ChatSession>>& sessions) {
    for (const auto& s : sessions)
        s->request_close();
}

// A one-shot notifier used by the moderation tool: it owns its own stream,
// writes a single verdict and closes after the write completes.
class VerdictNotifier : public std::enable_shared_from_this<VerdictNotifier> {
public:
    explicit VerdictNotifier(websocket::stream<beast::tcp_stream> ws) : ws_(std::move(ws)) {}

    void notify(std::string verdict) {
        verdict_ = std::move(verdict);
        ws_.async_write(net::buffer(verdict_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                return;
            self->ws_.async_close(websocket::close_code::policy_error, [self](beast::error_code) {});
        });
    }

    void notify_twice(const std::string& first, const std::string& second) {
        verdict_ = first;
        appeal_hint_ = second;
        ws_.async_write(net::buffer(verdict_), [self = shared_from_this()](beast::error_code, std::size_t) {});
        ws_.async_write(net::buffer(appeal_hint_), // expect: errorshield-ws-concurrent-write
                        [self = shared_from_this()](beast::error_code, std::size_t) {});
    }

private:
    websocket::stream<beast::tcp_stream> ws_;
    std::string verdict_;
    std::string appeal_hint_;
};
