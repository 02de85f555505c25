// checks: errorshield-ws-close-code
//
// Multiplayer game lobby. Each player session is a Beast async WebSocket
// session; the lobby kicks, migrates and shuts down players with close frames.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace lobby {

// Application-defined close codes (private-use range 4000-4999).
namespace app_close {
constexpr std::uint16_t kicked_by_host = 4001;
constexpr std::uint16_t lobby_full     = 4002;
constexpr std::uint16_t match_started  = 4010;
}  // namespace app_close

// Carried over from the old Node.js lobby.
constexpr std::uint16_t kLegacyIdleKick = 1006;

enum class leave_reason { quit, kicked, afk, banned, server_restart, desync, protocol };

inline websocket::close_code to_close_code(leave_reason r) {
    switch (r) {
    case leave_reason::quit:           return websocket::close_code::normal;
    case leave_reason::server_restart: return websocket::close_code::service_restart;
    case leave_reason::banned:         return websocket::close_code::policy_error;
    case leave_reason::protocol:       return websocket::close_code::protocol_error;
    default:                           return websocket::close_code::internal_error;
    }
}

class player_session : public std::enable_shared_from_this<player_session> {
public:
    explicit player_session(tcp::socket&& socket, std::string player_id)
        : ws_(std::move(socket)), player_id_(std::move(player_id)) {}

    void run() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.async_accept(beast::bind_front_handler(&player_session::on_accept, shared_from_this()));
    }

    // Player pressed "leave lobby".
    void leave() {
        ws_.async_close(websocket::close_code::normal,
                        beast::bind_front_handler(&player_session::on_close, shared_from_this()));
    }

    // Host removed the player from the lobby.
    void kick(std::string const& why) {
        websocket::close_reason cr(app_close::kicked_by_host);
        cr.reason = why.substr(0, 100);
        ws_.async_close(cr, beast::bind_front_handler(&player_session::on_close, shared_from_this()));
    }

    // Lobby reached capacity while the handshake was in flight.
    void reject_full() {
        ws_.async_close(websocket::close_reason(app_close::lobby_full),
                        beast::bind_front_handler(&player_session::on_close, shared_from_this()));
    }

    // Player went AFK for too long.
    void kick_afk() {
        ws_.async_close(websocket::close_reason(kLegacyIdleKick), // expect: errorshield-ws-close-code
                        beast::bind_front_handler(&player_session::on_close, shared_from_this()));
    }

    // Client state diverged from authoritative simulation.
    void kick_desync() {
        ws_.async_close(websocket::close_code::no_status, // expect: errorshield-ws-close-code
                        beast::bind_front_handler(&player_session::on_close, shared_from_this()));
    }

    // Player moved to a dedicated match server.
    void migrate_to_match(std::string const& match_id) {
        websocket::close_reason cr(app_close::match_started);
        cr.reason = "match:" + match_id.substr(0, 64);
        ws_.async_close(cr, beast::bind_front_handler(&player_session::on_close, shared_from_this()));
    }

    // Cheat detection hit; uses the anti-cheat vendor's code space.
    void kick_cheater() {
        ws_.async_close(websocket::close_reason(2100), // expect: errorshield-ws-close-code
                        beast::bind_front_handler(&player_session::on_close, shared_from_this()));
    }

    // Generic leave path driven by the lobby state machine.
    void leave_with(leave_reason r) {
        ws_.async_close(websocket::close_reason(to_close_code(r), "lobby"),
                        beast::bind_front_handler(&player_session::on_close, shared_from_this()));
    }

    // Seasonal event over; lobby is being torn down.
    void event_ended() {
        ws_.async_close(websocket::close_reason(websocket::close_code::reserved1, "event over"), // expect: errorshield-ws-close-code
                        beast::bind_front_handler(&player_session::on_close, shared_from_this()));
    }

    // Authentication token expired mid-session (registered 3000 "Unauthorized").
    void token_expired() {
        ws_.async_close(websocket::close_reason(3000),
                        beast::bind_front_handler(&player_session::on_close, shared_from_this()));
    }

    // Lobby version bumped beyond the app range.
    void version_mismatch() {
        ws_.async_close(websocket::close_reason(5001), // expect: errorshield-ws-close-code
                        beast::bind_front_handler(&player_session::on_close, shared_from_this()));
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return report(ec, "accept");
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&player_session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == websocket::error::closed) {
            // Peer initiated the close; inspect what it sent.
            auto const& r = ws_.reason();
            if (r.code == websocket::close_code::abnormal || r.code == websocket::close_code::no_status)
                std::clog << player_id_ << " dropped without a proper close\n";
            else
                std::clog << player_id_ << " left with code " << r.code << "\n";
            return;
        }
        if (ec) return report(ec, "read");
        buffer_.consume(buffer_.size());
        do_read();
    }

    void on_close(beast::error_code ec) {
        if (ec) report(ec, "close");
    }

    void report(beast::error_code ec, char const* what) {
        std::cerr << "[lobby " << player_id_ << "] " << what << ": " << ec.message() << "\n";
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    std::string player_id_;
};

// Metrics bucket for close codes observed from clients; 1006 is tracked
// separately because it means the TCP connection dropped.
inline char const* close_bucket(std::uint16_t code) {
    if (code == kLegacyIdleKick) return "abnormal";
    if (code >= 4000 && code <= 4999) return "app";
    if (code >= 1000 && code <= 1015) return "protocol";
    return "other";
}

}  // namespace lobby
