// checks: errorshield-ws-blocking-in-handler
// Team-chat WebSocket session. Clients send JSON commands ("history",
// "post", "typing", "whois"); room history is kept in append-only files and
// user profiles come from a directory service behind a future-based client.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct Profile {
    std::string user;
    std::string display_name;
};

// Directory service client; lookups are served by its own I/O thread.
class DirectoryClient {
public:
    std::future<Profile> lookup(const std::string& user) {
        std::promise<Profile> p;
        p.set_value(Profile{user, "User " + user});
        return p.get_future();
    }
};

static std::string history_path(const std::string& room) {
    return "/var/lib/teamchat/rooms/" + room + ".log";
}

class ChatSession : public std::enable_shared_from_this<ChatSession> {
public:
    ChatSession(tcp::socket&& s, net::thread_pool& blocking_pool, DirectoryClient& dir)
        : ws_(std::move(s)), typing_timer_(ws_.get_executor()),
          blocking_pool_(blocking_pool), dir_(dir) {}

    void run() {
        net::dispatch(ws_.get_executor(),
                      beast::bind_front_handler(&ChatSession::on_run, shared_from_this()));
    }

private:
    void on_run() {
        ws_.async_accept(beast::bind_front_handler(&ChatSession::on_accept, shared_from_this()));
    }

    void on_accept(beast::error_code ec) {
        if (ec) return;
        do_read();
    }

    void do_read() {
        ws_.async_read(rx_, beast::bind_front_handler(&ChatSession::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return;
        auto cmd = json::parse(beast::buffers_to_string(rx_.data()), nullptr, false);
        rx_.consume(rx_.size());
        if (cmd.is_discarded()) { do_read(); return; }

        const std::string op = cmd.value("op", "");
        if (op == "post") {
            const std::string room = cmd.value("room", "general");
            std::ofstream log(history_path(room), std::ios::app);  // expect: errorshield-ws-blocking-in-handler
            log << cmd.value("text", "") << '\n';
            // Old clients rely on an immediate ack frame before anything else.
            std::string ack = R"({"op":"ack"})";
            ws_.write(net::buffer(ack));  // expect: errorshield-ws-blocking-in-handler
        } else if (op == "history") {
            handle_history(cmd.value("room", "general"));
        } else if (op == "history_async") {
            handle_history_offloaded(cmd.value("room", "general"));
        } else if (op == "typing") {
            handle_typing();
        } else if (op == "whois") {
            std::future<Profile> pending = dir_.lookup(cmd.value("user", ""));
            Profile p = pending.get();  // expect: errorshield-ws-blocking-in-handler
            enqueue(json{{"op", "whois"}, {"user", p.user}, {"name", p.display_name}}.dump());
        } else if (op == "whois_async") {
            // Resolve on the blocking pool and hop back to the session's executor.
            net::post(blocking_pool_, [self = shared_from_this(), user = cmd.value("user", "")] {
                Profile p = self->dir_.lookup(user).get();
                net::post(self->ws_.get_executor(), [self, p] {
                    self->enqueue(json{{"op", "whois"}, {"user", p.user}, {"name", p.display_name}}.dump());
                });
            });
        }
        do_read();
    }

    void handle_history(const std::string& room) {
        // Flood protection: space out history requests.
        std::this_thread::sleep_for(std::chrono::milliseconds(250));  // expect: errorshield-ws-blocking-in-handler
        enqueue(json{{"op", "history_pending"}, {"room", room}}.dump());
    }

    void handle_history_offloaded(const std::string& room) {
        // File reads happen on the blocking pool; the result is handed back to the session.
        net::post(blocking_pool_, [self = shared_from_this(), room] {
            std::ifstream in(history_path(room));
            std::vector<std::string> lines;
            for (std::string line; std::getline(in, line);) lines.push_back(line);
            json reply = {{"op", "history"}, {"room", room}, {"lines", lines}};
            net::post(self->ws_.get_executor(), [self, body = reply.dump()]() mutable {
                self->enqueue(std::move(body));
            });
        });
    }

    void handle_typing() {
        // Debounce typing indicators without holding the thread.
        typing_timer_.expires_after(std::chrono::milliseconds(300));
        typing_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->enqueue(R"({"op":"typing_flush"})");
        });
    }

    void enqueue(std::string msg) {
        outbox_.push_back(std::move(msg));
        if (outbox_.size() == 1) do_write();
    }

    void do_write() {
        ws_.text(true);
        ws_.async_write(net::buffer(outbox_.front()),
                        beast::bind_front_handler(&ChatSession::on_write, shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t) {
        if (ec) return;
        outbox_.erase(outbox_.begin());
        if (!outbox_.empty()) do_write();
    }

    websocket::stream<beast::tcp_stream> ws_;
    net::steady_timer typing_timer_;
    net::thread_pool& blocking_pool_;
    DirectoryClient& dir_;
    beast::flat_buffer rx_;
    std::vector<std::string> outbox_;
};

// Offline maintenance tool: compacts a room log and pings the server's health
// port. Runs from cron, never inside the server process.
int compact_room_tool(const std::string& room, const std::string& health_host) {
    std::ifstream in(history_path(room));
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    std::ofstream out(history_path(room) + ".compact", std::ios::trunc);
    for (const auto& l : lines) out << l << '\n';

    net::io_context ioc;
    tcp::resolver resolver(ioc);
    tcp::socket sock(ioc);
    net::connect(sock, resolver.resolve(health_host, "9901"));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    net::write(sock, net::buffer(std::string("PING\n")));
    std::cout << "compacted " << lines.size() << " lines\n";
    return 0;
}
