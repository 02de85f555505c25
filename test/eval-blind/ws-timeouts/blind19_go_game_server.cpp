// checks: errorshield-ws-timeouts
// Go (baduk) game server: lobby, live and correspondence games, spectators,
// an admin console for tournament directors and a bridge to an analysis
// engine for post-game review.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <chrono>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace baduk {

struct Board {
    int size = 19;
    std::vector<char> cells = std::vector<char>(19 * 19, '.');
    char to_move = 'B';
    int move_no = 0;

    bool play(int x, int y, char color) {
        if (color != to_move || x < 0 || y < 0 || x >= size || y >= size) return false;
        auto& c = cells[static_cast<std::size_t>(y * size + x)];
        if (c != '.') return false;
        c = color;
        to_move = color == 'B' ? 'W' : 'B';
        ++move_no;
        return true;
    }
};

class GameRegistry {
public:
    int create(int size) {
        std::lock_guard<std::mutex> lk(mu_);
        int id = ++next_;
        games_[id].size = size;
        games_[id].cells.assign(static_cast<std::size_t>(size * size), '.');
        return id;
    }
    bool play(int id, int x, int y, char color, json& state) {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = games_.find(id);
        if (it == games_.end() || !it->second.play(x, y, color)) return false;
        state = {{"game", id}, {"move", it->second.move_no}, {"x", x}, {"y", y}, {"color", std::string(1, color)}};
        return true;
    }

private:
    std::mutex mu_;
    int next_ = 0;
    std::map<int, Board> games_;
};

// ---- session hierarchy ------------------------------------------------------

class WsSessionBase : public std::enable_shared_from_this<WsSessionBase> {
public:
    WsSessionBase(tcp::socket s, GameRegistry& reg) : ws_(std::move(s)), registry_(reg) {}
    virtual ~WsSessionBase() = default;

    void start() {
        configure_timeouts();
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (ec) return;
            self->on_open();
            self->read_loop();
        });
    }

    void send(std::string msg) {
        asio::post(ws_.get_executor(), [self = shared_from_this(), m = std::move(msg)]() mutable {
            self->queue_.push_back(std::move(m));
            if (self->queue_.size() == 1) self->flush();
        });
    }

protected:
    virtual void configure_timeouts() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    }
    virtual void on_open() {}
    virtual void on_message(const json& msg) = 0;
    websocket::stream<beast::tcp_stream>& ws() { return ws_; }
    GameRegistry& registry() { return registry_; }

private:
    void read_loop() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
            self->buf_.consume(self->buf_.size());
            if (j.is_object()) self->on_message(j);
            self->read_loop();
        });
    }

    void flush() {
        ws_.async_write(asio::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->queue_.pop_front();
            if (!self->queue_.empty()) self->flush();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    GameRegistry& registry_;
    beast::flat_buffer buf_;
    std::deque<std::string> queue_;
};

// Live games with the default server timeouts.
class LiveGameSession : public WsSessionBase {
public:
    using WsSessionBase::WsSessionBase;

protected:
    void on_message(const json& m) override {
        json st;
        if (registry().play(m.value("game", 0), m.value("x", -1), m.value("y", -1),
                            m.value("color", "B")[0], st))
            send(st.dump());
    }
};

// Blitz: byo-yomi is short, so drop dead clients quickly.
class BlitzGameSession : public LiveGameSession {
public:
    using LiveGameSession::LiveGameSession;

protected:
    void configure_timeouts() override {
        websocket::stream_base::timeout t{};
        t.handshake_timeout = 10s;
        t.idle_timeout = 20s;
        t.keep_alive_pings = true;
        ws().set_option(t);
    }
};

// Correspondence games: players may take days per move.
class CorrespondenceSession : public LiveGameSession {
public:
    using LiveGameSession::LiveGameSession;

protected:
    void configure_timeouts() override {
        auto opt = websocket::stream_base::timeout::suggested(beast::role_type::server);
        opt.handshake_timeout = websocket::stream_base::none(); // expect: errorshield-ws-timeouts
        opt.idle_timeout = 600s;
        ws().set_option(opt);
    }
};

// Tournament director console.
class AdminSession : public WsSessionBase {
public:
    using WsSessionBase::WsSessionBase;

protected:
    void on_open() override {
        // directors keep the console open for the whole round
        ws().set_option(websocket::stream_base::timeout{30s, websocket::stream_base::none(), false}); // expect: errorshield-ws-timeouts
        send(json{{"type", "welcome"}, {"role", "td"}}.dump());
    }
    void on_message(const json& m) override {
        if (m.value("cmd", "") == "create") send(json{{"created", registry().create(m.value("size", 19))}}.dump());
    }
};

// ---- lobby (no session class; stream owned by the handlers) -----------------

class Lobby {
public:
    void add(std::shared_ptr<websocket::stream<beast::tcp_stream>> ws) {
        std::lock_guard<std::mutex> lk(mu_);
        members_.insert(std::move(ws));
    }
    void remove(const std::shared_ptr<websocket::stream<beast::tcp_stream>>& ws) {
        std::lock_guard<std::mutex> lk(mu_);
        members_.erase(ws);
    }

private:
    std::mutex mu_;
    std::set<std::shared_ptr<websocket::stream<beast::tcp_stream>>> members_;
};

void lobby_read(std::shared_ptr<websocket::stream<beast::tcp_stream>> ws,
                std::shared_ptr<beast::flat_buffer> buf, Lobby& lobby) {
    ws->async_read(*buf, [ws, buf, &lobby](beast::error_code ec, std::size_t) {
        if (ec) {
            lobby.remove(ws);
            return;
        }
        buf->consume(buf->size());
        lobby_read(ws, buf, lobby);
    });
}

void lobby_accept(tcp::acceptor& acc, Lobby& lobby) {
    acc.async_accept([&acc, &lobby](beast::error_code ec, tcp::socket s) {
        if (!ec) {
            auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(s));
            ws->async_accept([ws, &lobby](beast::error_code ec2) { // expect: errorshield-ws-timeouts
                if (ec2) return;
                lobby.add(ws);
                lobby_read(ws, std::make_shared<beast::flat_buffer>(), lobby);
            });
        }
        lobby_accept(acc, lobby);
    });
}

// ---- spectators and review (coroutines) -------------------------------------

asio::awaitable<void> spectate(tcp::socket sock, int game_id) {
    websocket::stream<beast::tcp_stream> ws(std::move(sock));
    ws.read_message_max(4096);
    ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
        res.set(http::field::server, "baduk-spectate");
    }));
    try {
        co_await ws.async_accept(asio::use_awaitable); // expect: errorshield-ws-timeouts
        beast::flat_buffer buf;
        for (;;) {
            co_await ws.async_read(buf, asio::use_awaitable);
            buf.consume(buf.size());
        }
    } catch (const std::exception& e) {
        std::cerr << "spectator of " << game_id << ": " << e.what() << "\n";
    }
}

asio::awaitable<void> review(tcp::socket sock) {
    beast::tcp_stream stream(std::move(sock));
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    stream.expires_after(15s);
    co_await http::async_read(stream, buf, req, asio::use_awaitable);
    websocket::stream<beast::tcp_stream> ws(std::move(stream));
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await ws.async_accept(req, asio::use_awaitable);
    for (;;) {
        beast::flat_buffer in;
        co_await ws.async_read(in, asio::use_awaitable);
    }
}

// ---- analysis engine bridge (client) ----------------------------------------

class EngineBridge : public std::enable_shared_from_this<EngineBridge> {
public:
    EngineBridge(asio::io_context& ioc, std::string host, std::string port, std::string path)
        : resolver_(ioc), ws_(ioc), host_(std::move(host)), port_(std::move(port)), path_(std::move(path)) {}

    void start() {
        resolver_.async_resolve(host_, port_, [self = shared_from_this()](beast::error_code ec,
                                                                         tcp::resolver::results_type r) {
            if (ec) return;
            asio::async_connect(self->ws_.next_layer(), r, [self](beast::error_code ec2, const tcp::endpoint&) {
                if (ec2) return;
                self->ws_.async_handshake(self->host_, self->path_, [self](beast::error_code ec3) { // expect: errorshield-ws-timeouts
                    if (!ec3) self->query();
                });
            });
        });
    }

private:
    void query() {
        ws_.text(true);
        out_ = json{{"id", "q1"}, {"moves", json::array()}, {"rules", "japanese"}, {"komi", 6.5}}.dump();
        ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->ws_.async_read(self->in_, [self](beast::error_code, std::size_t) {});
        });
    }

    tcp::resolver resolver_;
    websocket::stream<tcp::socket> ws_;
    std::string host_, port_, path_;
    std::string out_;
    beast::flat_buffer in_;
};

// Score estimator used at game end; same protocol, bounded timeouts.
class ScoreEstimator : public std::enable_shared_from_this<ScoreEstimator> {
public:
    ScoreEstimator(asio::io_context& ioc, std::string host) : resolver_(ioc), ws_(ioc), host_(std::move(host)) {}

    void start() {
        resolver_.async_resolve(host_, "8190", [self = shared_from_this()](beast::error_code ec,
                                                                          tcp::resolver::results_type r) {
            if (ec) return;
            beast::get_lowest_layer(self->ws_).expires_after(10s);
            beast::get_lowest_layer(self->ws_).async_connect(r, [self](beast::error_code ec2, auto) {
                if (ec2) return;
                beast::get_lowest_layer(self->ws_).expires_never();
                self->ws_.set_option(websocket::stream_base::timeout{10s, 60s, true});
                self->ws_.async_handshake(self->host_, "/score", [](beast::error_code) {});
            });
        });
    }

private:
    tcp::resolver resolver_;
    websocket::stream<beast::tcp_stream> ws_;
    std::string host_;
};

}  // namespace baduk

template <class Factory>
void serve_port(asio::io_context& ioc, std::vector<std::unique_ptr<tcp::acceptor>>& accs,
                unsigned short port, Factory make) {
    accs.push_back(std::make_unique<tcp::acceptor>(ioc, tcp::endpoint(tcp::v4(), port)));
    auto* acc = accs.back().get();
    auto loop = std::make_shared<std::function<void()>>();
    *loop = [acc, make, loop] {
        acc->async_accept([acc, make, loop](beast::error_code ec, tcp::socket s) {
            if (!ec) make(std::move(s));
            (*loop)();
        });
    };
    (*loop)();
}

int main() {
    using namespace baduk;
    asio::io_context ioc;
    GameRegistry registry;
    Lobby lobby;
    tcp::acceptor lobby_acc(ioc, {tcp::v4(), 7000});
    lobby_accept(lobby_acc, lobby);

    std::vector<std::unique_ptr<tcp::acceptor>> accs;
    serve_port(ioc, accs, 7001, [&](tcp::socket s) { std::make_shared<LiveGameSession>(std::move(s), registry)->start(); });
    serve_port(ioc, accs, 7002, [&](tcp::socket s) { std::make_shared<BlitzGameSession>(std::move(s), registry)->start(); });
    serve_port(ioc, accs, 7003, [&](tcp::socket s) { std::make_shared<CorrespondenceSession>(std::move(s), registry)->start(); });
    serve_port(ioc, accs, 7004, [&](tcp::socket s) { std::make_shared<AdminSession>(std::move(s), registry)->start(); });
    serve_port(ioc, accs, 7005, [&](tcp::socket s) { asio::co_spawn(ioc, spectate(std::move(s), 0), asio::detached); });
    serve_port(ioc, accs, 7006, [&](tcp::socket s) { asio::co_spawn(ioc, review(std::move(s)), asio::detached); });

    std::make_shared<EngineBridge>(ioc, "127.0.0.1", "8189", "/analyze")->start();
    std::make_shared<ScoreEstimator>(ioc, "127.0.0.1")->start();
    ioc.run();
}
