// checks: errorshield-thread-per-connection
// Legacy line-protocol quote feed (port 9100) used by internal pricing tools.
// Several listener variants live side by side while clients are migrated.
#include <boost/asio.hpp>

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct FeedConfig {
    unsigned short port = 9100;
    unsigned worker_threads = 4;
    std::vector<std::string> symbol_files;
};

std::atomic<std::uint64_t> g_quotes_sent{0};
std::atomic<bool> g_running{true};

// Blocking per-client loop: reads "SUB <sym>" lines and writes quotes back.
void serve_client(tcp::socket sock) {
    boost::system::error_code ec;
    net::streambuf in;
    for (;;) {
        std::size_t n = net::read_until(sock, in, '\n', ec);
        if (ec) break;
        std::string line(net::buffers_begin(in.data()), net::buffers_begin(in.data()) + n);
        in.consume(n);
        std::string reply = "QUOTE " + line.substr(line.find(' ') + 1);
        net::write(sock, net::buffer(reply), ec);
        if (ec) break;
        ++g_quotes_sent;
    }
}

struct ClientCtx {
    tcp::socket sock;
};

extern "C" void* client_entry(void* arg) {
    std::unique_ptr<ClientCtx> ctx(static_cast<ClientCtx*>(arg));
    serve_client(std::move(ctx->sock));
    return nullptr;
}

void load_symbol_file(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "r");
    if (!f) return;
    char buf[256];
    while (std::fgets(buf, sizeof buf, f)) { /* populate symbol table */ }
    std::fclose(f);
}

// Variant A: original listener from 2016.
void run_listener_detached(const FeedConfig& cfg) {
    net::io_context ioc;
    tcp::acceptor acceptor(ioc, {tcp::v4(), cfg.port});
    while (g_running) {
        tcp::socket sock(ioc);
        acceptor.accept(sock);
        std::thread(serve_client, std::move(sock)).detach();  // expect: errorshield-thread-per-connection
    }
}

// Variant B: "fixed" version that at least keeps the futures around.
void run_listener_async(const FeedConfig& cfg) {
    net::io_context ioc;
    tcp::acceptor acceptor(ioc, {tcp::v4(), static_cast<unsigned short>(cfg.port + 1)});
    std::vector<std::future<void>> clients;
    while (g_running) {
        tcp::socket sock = acceptor.accept();
        clients.push_back(std::async(std::launch::async, serve_client, std::move(sock)));  // expect: errorshield-thread-per-connection
    }
    for (auto& f : clients) f.wait();
}

// Variant C: ported from the C daemon, still uses pthreads directly.
void run_listener_pthread(const FeedConfig& cfg) {
    net::io_context ioc;
    tcp::acceptor acceptor(ioc, {tcp::v4(), static_cast<unsigned short>(cfg.port + 2)});
    while (g_running) {
        auto* ctx = new ClientCtx{tcp::socket(ioc)};
        acceptor.accept(ctx->sock);
        pthread_t tid;
        if (pthread_create(&tid, nullptr, &client_entry, ctx) != 0) {  // expect: errorshield-thread-per-connection
            delete ctx;
            continue;
        }
        pthread_detach(tid);
    }
}

// Variant D: bounded pool; blocking clients are queued onto a fixed set of workers.
void run_listener_pooled(const FeedConfig& cfg) {
    net::io_context ioc;
    net::thread_pool workers(cfg.worker_threads);
    tcp::acceptor acceptor(ioc, {tcp::v4(), static_cast<unsigned short>(cfg.port + 3)});
    while (g_running) {
        tcp::socket sock = acceptor.accept();
        net::post(workers, [s = std::move(sock)]() mutable { serve_client(std::move(s)); });
    }
    workers.join();
}

// Variant E: fully asynchronous, N threads all running the same io_context.
class AsyncFeedSession : public std::enable_shared_from_this<AsyncFeedSession> {
public:
    explicit AsyncFeedSession(tcp::socket s) : sock_(std::move(s)) {}
    void start() { read_line(); }

private:
    void read_line() {
        net::async_read_until(sock_, in_, '\n',
            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                if (ec) return;
                std::string line(net::buffers_begin(self->in_.data()),
                                 net::buffers_begin(self->in_.data()) + n);
                self->in_.consume(n);
                self->out_ = "QUOTE " + line.substr(line.find(' ') + 1);
                net::async_write(self->sock_, net::buffer(self->out_),
                    [self](boost::system::error_code ec2, std::size_t) {
                        if (!ec2) { ++g_quotes_sent; self->read_line(); }
                    });
            });
    }
    tcp::socket sock_;
    net::streambuf in_;
    std::string out_;
};

void do_accept(tcp::acceptor& acceptor) {
    acceptor.async_accept([&acceptor](boost::system::error_code ec, tcp::socket s) {
        if (!ec) std::make_shared<AsyncFeedSession>(std::move(s))->start();
        do_accept(acceptor);
    });
}

void run_listener_reactor(const FeedConfig& cfg) {
    // Symbol tables are loaded in parallel once, before we start listening.
    std::vector<std::thread> loaders;
    for (const auto& path : cfg.symbol_files)
        loaders.emplace_back(load_symbol_file, path);
    for (auto& t : loaders) t.join();

    net::io_context ioc;
    tcp::acceptor acceptor(ioc, {tcp::v4(), static_cast<unsigned short>(cfg.port + 4)});
    do_accept(acceptor);

    // One stats reporter for the whole process.
    std::jthread stats([](std::stop_token st) {
        while (!st.stop_requested()) {
            std::this_thread::sleep_for(std::chrono::seconds(10));
            std::cerr << "quotes sent: " << g_quotes_sent.load() << '\n';
        }
    });

    std::vector<std::thread> io_threads;
    io_threads.reserve(cfg.worker_threads);
    for (unsigned i = 0; i < cfg.worker_threads; ++i)
        io_threads.emplace_back([&ioc] { ioc.run(); });
    for (auto& t : io_threads) t.join();
}
