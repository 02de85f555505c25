// checks: errorshield-ws-message-limit
// Volunteer shift rostering service for a food bank network.
// Volunteers claim / release shifts from the mobile app, coordinators edit rosters,
// kiosks at each site show who is on duty, and the nightly importer loads CSV rosters.

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace roster {

struct Limits {
    std::size_t volunteer_frame = 8 * 1024;
    std::size_t coordinator_frame = 256 * 1024;
    bool strict_kiosks = true;
};

struct Shift {
    std::string id;
    std::string site;
    std::string volunteer;
    std::int64_t starts_at = 0;
    int slots = 1;
};

class ShiftBoard {
public:
    bool claim(const std::string& shift_id, const std::string& who) {
        std::lock_guard lock(mu_);
        auto it = shifts_.find(shift_id);
        if (it == shifts_.end() || !it->second.volunteer.empty()) return false;
        it->second.volunteer = who;
        return true;
    }
    void release(const std::string& shift_id, const std::string& who) {
        std::lock_guard lock(mu_);
        auto it = shifts_.find(shift_id);
        if (it != shifts_.end() && it->second.volunteer == who) it->second.volunteer.clear();
    }
    void upsert(Shift s) {
        std::lock_guard lock(mu_);
        shifts_[s.id] = std::move(s);
    }
    json on_duty(const std::string& site) const {
        std::lock_guard lock(mu_);
        json out = json::array();
        for (const auto& [id, s] : shifts_)
            if (s.site == site && !s.volunteer.empty()) out.push_back({{"shift", id}, {"who", s.volunteer}});
        return out;
    }

private:
    mutable std::mutex mu_;
    std::unordered_map<std::string, Shift> shifts_;
};

inline void configure_server(websocket::stream<beast::tcp_stream>& ws, std::size_t max_bytes) {
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
        res.set(beast::http::field::server, "roster-ws/2.3");
    }));
    ws.read_message_max(max_bytes);
}

// ---------------------------------------------------------------------------
// Volunteer app session. The read continuation is kept as a member so that
// the reconnect logic can restart it.
class VolunteerSession : public std::enable_shared_from_this<VolunteerSession> {
public:
    VolunteerSession(tcp::socket s, ShiftBoard& board) : ws_(std::move(s)), board_(board) {}

    void start() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        read_next_ = [this, self = shared_from_this()] {
            ws_.async_read(buffer_, [this, self](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
                if (ec) return;
                handle(json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false));
                buffer_.consume(buffer_.size());
                read_next_();
            });
        };
        ws_.async_accept([this, self = shared_from_this()](beast::error_code ec) {
            if (!ec) read_next_();
        });
    }

private:
    void handle(const json& msg) {
        if (msg.is_discarded()) return;
        const auto op = msg.value("op", "");
        const auto who = msg.value("volunteer", "");
        if (op == "claim") board_.claim(msg.value("shift", ""), who);
        else if (op == "release") board_.release(msg.value("shift", ""), who);
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    std::function<void()> read_next_;
    ShiftBoard& board_;
};

// ---------------------------------------------------------------------------
// Coordinator editor: bigger roster documents, limit configured through the helper.
class CoordinatorSession : public std::enable_shared_from_this<CoordinatorSession> {
public:
    CoordinatorSession(tcp::socket s, ShiftBoard& board, const Limits& limits)
        : ws_(std::move(s)), board_(board) {
        configure_server(ws_, limits.coordinator_frame);
    }

    void start() {
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->read();
        });
    }

private:
    void read() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            auto doc = json::parse(beast::buffers_to_string(self->buffer_.data()), nullptr, false);
            self->buffer_.consume(self->buffer_.size());
            if (doc.is_object() && doc.contains("shifts"))
                for (const auto& s : doc["shifts"])
                    self->board_.upsert(Shift{s.value("id", ""), s.value("site", ""), "",
                                              s.value("starts_at", std::int64_t{0}), s.value("slots", 1)});
            self->read();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    ShiftBoard& board_;
};

// ---------------------------------------------------------------------------
// Nightly CSV import from the regional office. Files got big, so the cap was lifted.
class ImportSession : public std::enable_shared_from_this<ImportSession> {
public:
    ImportSession(tcp::socket s, ShiftBoard& board)
        : ws_(std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(s))), board_(board) {}

    void start() {
        ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_->read_message_max(std::numeric_limits<std::size_t>::max()); // expect: errorshield-ws-message-limit
        ws_->async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->read_file();
        });
    }

private:
    void read_file() {
        ws_->async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            std::istringstream csv(beast::buffers_to_string(self->buffer_.data()));
            std::string line;
            while (std::getline(csv, line)) {
                auto c1 = line.find(','), c2 = line.find(',', c1 + 1);
                if (c1 == std::string::npos || c2 == std::string::npos) continue;
                self->board_.upsert(Shift{line.substr(0, c1), line.substr(c1 + 1, c2 - c1 - 1), "", 0, 1});
            }
            self->buffer_.consume(self->buffer_.size());
            self->read_file();
        });
    }

    std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
    beast::flat_buffer buffer_;
    ShiftBoard& board_;
};

// Site check-in scanner: reached through a pointer too, but bounded.
class CheckinSession : public std::enable_shared_from_this<CheckinSession> {
public:
    CheckinSession(tcp::socket s, ShiftBoard& board)
        : ws_(std::make_unique<websocket::stream<beast::tcp_stream>>(std::move(s))), board_(board) {}

    void start() {
        ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_->read_message_max(2048);
        ws_->async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->read_scan();
        });
    }

private:
    void read_scan() {
        ws_->async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            std::cout << "check-in: " << beast::buffers_to_string(self->buffer_.data()) << "\n";
            self->buffer_.consume(self->buffer_.size());
            self->read_scan();
        });
    }

    std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
    beast::flat_buffer buffer_;
    ShiftBoard& board_;
};

// ---------------------------------------------------------------------------
// Site kiosks: simple blocking loop on a dedicated kiosk worker.
inline void serve_kiosk(tcp::socket sock, ShiftBoard& board, const Limits& limits) {
    websocket::stream<tcp::socket> ws(std::move(sock));
    if (limits.strict_kiosks) ws.read_message_max(limits.volunteer_frame);
    ws.accept();
    beast::error_code ec;
    for (;;) {
        beast::flat_buffer buf;
        ws.read(buf, ec); // expect: errorshield-ws-message-limit
        if (ec) break;
        auto site = beast::buffers_to_string(buf.data());
        ws.text(true);
        ws.write(asio::buffer(board.on_duty(site).dump()), ec);
        if (ec) break;
    }
}

// Reminder bot (SMS bridge) connects to us as a server-side peer; coroutine based.
asio::awaitable<void> reminder_bridge(tcp::socket sock, ShiftBoard& board) {
    websocket::stream<beast::tcp_stream> ws(std::move(sock));
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws.async_accept(asio::use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read(buf, asio::use_awaitable); // expect: errorshield-ws-message-limit
        auto ack = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
        buf.consume(buf.size());
        if (ack.is_object() && ack.value("status", "") == "declined")
            board.release(ack.value("shift", ""), ack.value("volunteer", ""));
    }
}

// Same bridge protocol for the e-mail gateway, limited before the handshake.
asio::awaitable<void> email_bridge(tcp::socket sock, ShiftBoard& board, Limits limits) {
    websocket::stream<beast::tcp_stream> ws(std::move(sock));
    configure_server(ws, limits.volunteer_frame);
    co_await ws.async_accept(asio::use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read(buf, asio::use_awaitable);
        auto ack = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
        buf.consume(buf.size());
        if (ack.is_object() && ack.value("status", "") == "declined")
            board.release(ack.value("shift", ""), ack.value("volunteer", ""));
    }
}

// ---------------------------------------------------------------------------
class Server {
public:
    Server(asio::io_context& ioc, unsigned short port, Limits limits)
        : ioc_(ioc), acceptor_(ioc, {tcp::v4(), port}), limits_(limits) {}

    void run() { accept(); }

private:
    void accept() {
        acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
            if (!ec) route(std::move(s));
            accept();
        });
    }

    void route(tcp::socket s) {
        switch (s.local_endpoint().port() % 10) {
        case 0: std::make_shared<VolunteerSession>(std::move(s), board_)->start(); break;
        case 1: std::make_shared<CoordinatorSession>(std::move(s), board_, limits_)->start(); break;
        case 2: std::make_shared<ImportSession>(std::move(s), board_)->start(); break;
        case 3: std::make_shared<CheckinSession>(std::move(s), board_)->start(); break;
        case 4: asio::co_spawn(ioc_, reminder_bridge(std::move(s), board_), asio::detached); break;
        case 5: asio::co_spawn(ioc_, email_bridge(std::move(s), board_, limits_), asio::detached); break;
        default:
            asio::post(kiosk_pool_, [this, sock = std::move(s)]() mutable {
                serve_kiosk(std::move(sock), board_, limits_);
            });
        }
    }

    asio::io_context& ioc_;
    tcp::acceptor acceptor_;
    asio::thread_pool kiosk_pool_{4};
    ShiftBoard board_;
    Limits limits_;
};

} // namespace roster

int main() {
    asio::io_context ioc;
    roster::Server server(ioc, 8440, roster::Limits{});
    server.run();
    ioc.run();
}
