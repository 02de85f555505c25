// checks: errorshield-ws-concurrent-write
// Multi-room chat server on Boost.Beast WebSockets.
// Sessions share a room registry; messages fan out through each session's
// own write queue. A few "fast paths" added later bypass the queue.

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

class chat_session;

class room_registry {
public:
    void join(std::string const& room, chat_session* s);
    void leave(std::string const& room, chat_session* s);
    void broadcast(std::string const& room, std::string text);
    std::vector<std::string> recent(std::string const& room) const;

private:
    mutable std::mutex mu_;
    std::unordered_map<std::string, std::unordered_set<chat_session*>> rooms_;
    std::unordered_map<std::string, std::vector<std::string>> history_;
};

class chat_session : public std::enable_shared_from_this<chat_session> {
public:
    chat_session(tcp::socket&& socket, std::shared_ptr<room_registry> rooms)
        : ws_(std::move(socket)), rooms_(std::move(rooms)) {}

    void run(http::request<http::string_body> req) {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
            res.set(http::field::server, "chatd/2.3");
        }));
        ws_.async_accept(req, beast::bind_front_handler(&chat_session::on_accept, shared_from_this()));
    }

    // Called from any thread (room_registry::broadcast). Hops onto the
    // session's strand before touching the queue.
    void send(std::shared_ptr<std::string const> const& msg) {
        net::post(ws_.get_executor(),
                  beast::bind_front_handler(&chat_session::on_send, shared_from_this(), msg));
    }

    // Typing indicators were "too slow" through the queue, so someone wrote
    // them straight to the socket. Races with on_send's write.
    void send_typing(std::string const& who) {
        auto frame = std::make_shared<std::string>(json{{"type", "typing"}, {"user", who}}.dump());
        ws_.async_write(net::buffer(*frame),  // expect: errorshield-ws-concurrent-write
                        [self = shared_from_this(), frame](beast::error_code, std::size_t) {});
    }

    // On join, replay recent history: one async_write per line, all issued
    // back to back without waiting for completion.
    void replay_history(std::vector<std::string> const& lines) {
        for (auto const& line : lines) {
            ws_.async_write(  // expect: errorshield-ws-concurrent-write
                net::buffer(line),
                beast::bind_front_handler(&chat_session::on_replayed, shared_from_this()));
        }
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec)
            return;
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&chat_session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == websocket::error::closed)
            return;
        if (ec)
            return;
        auto msg = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
        buffer_.consume(buffer_.size());
        if (!msg.is_discarded()) {
            auto const type = msg.value("type", "");
            if (type == "join") {
                room_ = msg.value("room", "lobby");
                rooms_->join(room_, this);
                replay_history(rooms_->recent(room_));
            } else if (type == "typing") {
                send_typing(msg.value("user", "?"));
            } else if (type == "say") {
                rooms_->broadcast(room_, msg.dump());
            }
        }
        do_read();
    }

    // The chat-multi shape: push, return if a write is already in flight,
    // otherwise start writing the front of the queue.
    void on_send(std::shared_ptr<std::string const> const& msg) {
        queue_.push_back(msg);
        if (queue_.size() > 1)
            return;
        ws_.async_write(net::buffer(*queue_.front()),
                        beast::bind_front_handler(&chat_session::on_write, shared_from_this()));
    }

    // Completed write: drop it, then continue with the next one.
    void on_write(beast::error_code ec, std::size_t) {
        if (ec)
            return;
        queue_.erase(queue_.begin());
        if (!queue_.empty())
            ws_.async_write(net::buffer(*queue_.front()),
                            beast::bind_front_handler(&chat_session::on_write, shared_from_this()));
    }

    void on_replayed(beast::error_code, std::size_t) {}

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    std::vector<std::shared_ptr<std::string const>> queue_;
    std::shared_ptr<room_registry> rooms_;
    std::string room_;
};

// Fan-out goes through chat_session::send, which queues; no async_write here.
void room_registry::broadcast(std::string const& room, std::string text) {
    auto const ss = std::make_shared<std::string const>(std::move(text));
    std::vector<std::weak_ptr<chat_session>> targets;
    {
        std::lock_guard<std::mutex> lock(mu_);
        history_[room].push_back(*ss);
        auto it = rooms_.find(room);
        if (it == rooms_.end())
            return;
        for (auto* s : it->second)
            targets.emplace_back(s->weak_from_this());
    }
    for (auto const& wp : targets)
        if (auto sp = wp.lock())
            sp->send(ss);
}
