// checks: errorshield-ws-message-limit
//
// Chat relay. Room sessions, presence pings, file-chunk uploads, and a
// broadcast-only announcements channel, all as Beast async session classes.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <deque>
#include <iostream>
#include <limits>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace relay {

constexpr std::size_t kMaxChatMessage = 32 * 1024;
constexpr std::size_t kMaxUploadChunk = 512 * 1024;

inline void warn(beast::error_code ec, char const* what) {
    std::cerr << "[relay] " << what << ": " << ec.message() << "\n";
}

template <class Stream>
void harden(websocket::stream<Stream>& ws, std::size_t max_msg) {
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.read_message_max(max_msg);
    ws.auto_fragment(false);
}

// Room chat: limit applied right before accepting.
class room_session : public std::enable_shared_from_this<room_session> {
public:
    explicit room_session(tcp::socket&& s) : ws_(std::move(s)) {}

    void run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(kMaxChatMessage);
        ws_.async_accept(beast::bind_front_handler(&room_session::on_accept, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return warn(ec, "room accept");
        do_read();
    }
    void do_read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&room_session::on_read, shared_from_this()));
    }
    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return warn(ec, "room read");
        auto msg = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
        buffer_.consume(buffer_.size());
        if (!msg.is_discarded()) std::clog << "room msg from " << msg.value("user", "?") << "\n";
        do_read();
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
};

// Presence pings: tiny JSON heartbeats, so nobody bothered with limits.
class presence_session : public std::enable_shared_from_this<presence_session> {
public:
    explicit presence_session(tcp::socket&& s) : ws_(std::move(s)) {}

    void run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.async_accept(beast::bind_front_handler(&presence_session::on_accept, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return warn(ec, "presence accept");
        do_read();
    }
    void do_read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&presence_session::on_read, shared_from_this())); // expect: errorshield-ws-message-limit
    }
    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return warn(ec, "presence read");
        buffer_.consume(buffer_.size());
        do_read();
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
};

// File uploads: chunks are large, so the "limit" was lifted entirely.
class upload_session : public std::enable_shared_from_this<upload_session> {
public:
    explicit upload_session(tcp::socket&& s) : ws_(std::move(s)) {}

    void run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(0); // expect: errorshield-ws-message-limit
        ws_.binary(true);
        ws_.async_accept(beast::bind_front_handler(&upload_session::on_accept, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return warn(ec, "upload accept");
        ws_.async_read(buffer_, beast::bind_front_handler(&upload_session::on_chunk, shared_from_this()));
    }
    void on_chunk(beast::error_code ec, std::size_t n) {
        if (ec) return warn(ec, "upload read");
        received_ += n;
        buffer_.consume(buffer_.size());
        ws_.async_read(buffer_, beast::bind_front_handler(&upload_session::on_chunk, shared_from_this()));
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    std::size_t received_ = 0;
};

// Resumable uploads v2: limits through the shared hardening helper.
class resumable_upload_session : public std::enable_shared_from_this<resumable_upload_session> {
public:
    explicit resumable_upload_session(tcp::socket&& s) : ws_(std::move(s)) {}

    void run() {
        harden(ws_, kMaxUploadChunk);
        ws_.async_accept(beast::bind_front_handler(&resumable_upload_session::on_accept, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return warn(ec, "resumable accept");
        ws_.async_read(buffer_, beast::bind_front_handler(&resumable_upload_session::on_chunk, shared_from_this()));
    }
    void on_chunk(beast::error_code ec, std::size_t) {
        if (ec) return warn(ec, "resumable read");
        buffer_.consume(buffer_.size());
        ws_.async_read(buffer_, beast::bind_front_handler(&resumable_upload_session::on_chunk, shared_from_this()));
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
};

// Bot gateway: integrations post large batched payloads.
class bot_gateway_session : public std::enable_shared_from_this<bot_gateway_session> {
public:
    explicit bot_gateway_session(tcp::socket&& s) : ws_(std::move(s)) {}

    void run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(std::numeric_limits<std::size_t>::max()); // expect: errorshield-ws-message-limit
        ws_.async_accept(beast::bind_front_handler(&bot_gateway_session::on_accept, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return warn(ec, "bot accept");
        ws_.async_read(buffer_, beast::bind_front_handler(&bot_gateway_session::on_batch, shared_from_this()));
    }
    void on_batch(beast::error_code ec, std::size_t) {
        if (ec) return warn(ec, "bot read");
        buffer_.consume(buffer_.size());
        ws_.async_read(buffer_, beast::bind_front_handler(&bot_gateway_session::on_batch, shared_from_this()));
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
};

// Announcements: server pushes, never reads application messages.
class announcement_session : public std::enable_shared_from_this<announcement_session> {
public:
    explicit announcement_session(tcp::socket&& s) : ws_(std::move(s)) {}

    void run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.async_accept(beast::bind_front_handler(&announcement_session::on_accept, shared_from_this()));
    }

    void push(std::string text) {
        queue_.push_back(std::move(text));
        if (queue_.size() == 1) do_write();
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return warn(ec, "announce accept");
    }
    void do_write() {
        ws_.async_write(net::buffer(queue_.front()),
                        beast::bind_front_handler(&announcement_session::on_write, shared_from_this()));
    }
    void on_write(beast::error_code ec, std::size_t) {
        if (ec) return warn(ec, "announce write");
        queue_.pop_front();
        if (!queue_.empty()) do_write();
    }

    websocket::stream<beast::tcp_stream> ws_;
    std::deque<std::string> queue_;
};

}  // namespace relay
