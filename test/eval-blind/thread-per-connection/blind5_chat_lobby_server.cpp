// checks: errorshield-thread-per-connection
// Game lobby chat: players join rooms over WebSocket. There is a public
// listener (async sessions), a moderator console listener and an admin
// listener that were bolted on later.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class ChatSession;

struct LobbyState {
    std::mutex mu;
    std::set<ChatSession*> members;
    void join(ChatSession* s) { std::lock_guard lk(mu); members.insert(s); }
    void leave(ChatSession* s) { std::lock_guard lk(mu); members.erase(s); }
};

class ChatSession : public std::enable_shared_from_this<ChatSession> {
public:
    ChatSession(tcp::socket&& s, std::shared_ptr<LobbyState> st)
        : ws_(std::move(s)), state_(std::move(st)) {}
    ~ChatSession() { state_->leave(this); }

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
        state_->join(this);
        do_read();
    }
    void do_read() {
        ws_.async_read(buf_, beast::bind_front_handler(&ChatSession::on_read, shared_from_this()));
    }
    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return;
        buf_.consume(buf_.size());
        do_read();
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buf_;
    std::shared_ptr<LobbyState> state_;
};

// Blocking session used by the moderator console (synchronous Beast API).
void run_blocking_session(tcp::socket sock, std::shared_ptr<LobbyState> state) {
    websocket::stream<tcp::socket> ws(std::move(sock));
    beast::error_code ec;
    ws.accept(ec);
    if (ec) return;
    beast::flat_buffer buf;
    while (!ec) {
        ws.read(buf, ec);
        buf.consume(buf.size());
    }
    (void)state;
}

class PublicListener : public std::enable_shared_from_this<PublicListener> {
public:
    PublicListener(net::io_context& ioc, tcp::endpoint ep, std::shared_ptr<LobbyState> st)
        : ioc_(ioc), acceptor_(net::make_strand(ioc)), state_(std::move(st)) {
        acceptor_.open(ep.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen(net::socket_base::max_listen_connections);
    }
    void run() { do_accept(); }

private:
    void do_accept() {
        acceptor_.async_accept(net::make_strand(ioc_),
            beast::bind_front_handler(&PublicListener::on_accept, shared_from_this()));
    }
    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (!ec) std::make_shared<ChatSession>(std::move(socket), state_)->run();
        do_accept();
    }

    net::io_context& ioc_;
    tcp::acceptor acceptor_;
    std::shared_ptr<LobbyState> state_;
};

class ModeratorListener : public std::enable_shared_from_this<ModeratorListener> {
public:
    ModeratorListener(net::io_context& ioc, tcp::endpoint ep, std::shared_ptr<LobbyState> st)
        : acceptor_(ioc, ep), state_(std::move(st)) {}
    void run() { do_accept(); }

private:
    void do_accept() {
        acceptor_.async_accept(
            beast::bind_front_handler(&ModeratorListener::on_accept, shared_from_this()));
    }
    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (!ec) {
            // Moderator tooling still speaks the blocking API.
            std::thread([s = std::move(socket), st = state_]() mutable {  // expect: errorshield-thread-per-connection
                run_blocking_session(std::move(s), st);
            }).detach();
        }
        do_accept();
    }

    tcp::acceptor acceptor_;
    std::shared_ptr<LobbyState> state_;
};

// Admin listener keeps every admin connection's thread so shutdown can join them.
class AdminListener {
public:
    AdminListener(net::io_context& ioc, tcp::endpoint ep, std::shared_ptr<LobbyState> st)
        : acceptor_(ioc, ep), state_(std::move(st)) {}

    void start() {
        acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec) return;
            admin_threads_.emplace_back(run_blocking_session, std::move(socket), state_);  // expect: errorshield-thread-per-connection
            start();
        });
    }

private:
    tcp::acceptor acceptor_;
    std::shared_ptr<LobbyState> state_;
    std::vector<std::jthread> admin_threads_;
};

// Spectator feed: stackful coroutine accept loop.
void run_spectator_listener(net::io_context& ioc, tcp::endpoint ep,
                            std::shared_ptr<LobbyState> st) {
    net::spawn(ioc, [&ioc, ep, st](net::yield_context yield) {
        tcp::acceptor acceptor(ioc, ep);
        for (;;) {
            beast::error_code ec;
            tcp::socket socket = acceptor.async_accept(yield[ec]);
            if (ec) continue;
            std::thread t(run_blocking_session, std::move(socket), st);  // expect: errorshield-thread-per-connection
            t.detach();
        }
    }, net::detached);
}

// Replay listener: one coroutine per connection, all on the shared io_context.
net::awaitable<void> replay_session(tcp::socket socket) {
    websocket::stream<tcp::socket> ws(std::move(socket));
    co_await ws.async_accept(net::use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
        co_await ws.async_read(buf, net::use_awaitable);
        buf.consume(buf.size());
    }
}

net::awaitable<void> replay_listener(tcp::endpoint ep, net::thread_pool& auth_pool) {
    auto ex = co_await net::this_coro::executor;
    tcp::acceptor acceptor(ex, ep);
    for (;;) {
        tcp::socket socket = co_await acceptor.async_accept(net::use_awaitable);
        auto peer = socket.remote_endpoint().address().to_string();
        // Ban-list lookup hits a slow store, so it goes to the bounded auth pool.
        net::post(auth_pool, [peer] { (void)peer; /* check ban list */ });
        net::co_spawn(ex, replay_session(std::move(socket)), net::detached);
    }
}

int run_lobby(unsigned short base_port) {
    net::io_context ioc;
    auto state = std::make_shared<LobbyState>();
    auto addr = net::ip::make_address("0.0.0.0");
    net::thread_pool auth_pool(2);

    std::make_shared<PublicListener>(ioc, tcp::endpoint{addr, base_port}, state)->run();
    std::make_shared<ModeratorListener>(ioc, tcp::endpoint{addr, static_cast<unsigned short>(base_port + 1)}, state)->run();
    AdminListener admin(ioc, tcp::endpoint{addr, static_cast<unsigned short>(base_port + 2)}, state);
    admin.start();
    run_spectator_listener(ioc, tcp::endpoint{addr, static_cast<unsigned short>(base_port + 3)}, state);
    net::co_spawn(ioc, replay_listener(tcp::endpoint{addr, static_cast<unsigned short>(base_port + 4)}, auth_pool),
                  net::detached);

    const unsigned n = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> io_threads;
    io_threads.reserve(n - 1);
    for (unsigned i = 1; i < n; ++i)
        io_threads.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : io_threads) t.join();
    auth_pool.join();
    return 0;
}
