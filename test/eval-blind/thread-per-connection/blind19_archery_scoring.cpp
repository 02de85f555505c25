// checks: errorshield-thread-per-connection
// Archery tournament scoring.
// Target judges enter arrow values per end, electronic target faces report hits,
// spectators follow live ranking boards, and legacy field scoreboards poll over raw TCP.

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <pthread.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace archery {

struct EndScore {
    std::string archer;
    int end_no = 0;
    std::vector<int> arrows; // 0..10, 11 = X
};

class Scoreboard {
public:
    void submit(const EndScore& e) {
        std::lock_guard lock(mu_);
        int sum = 0;
        for (int a : e.arrows) sum += (a == 11 ? 10 : a);
        totals_[e.archer] += sum;
    }
    json ranking() const {
        std::lock_guard lock(mu_);
        std::vector<std::pair<std::string, int>> v(totals_.begin(), totals_.end());
        std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second > b.second; });
        json out = json::array();
        for (auto& [name, total] : v) out.push_back({{"archer", name}, {"total", total}});
        return out;
    }

private:
    mutable std::mutex mu_;
    std::map<std::string, int> totals_;
};

inline EndScore parse_end(const json& j) {
    EndScore e;
    e.archer = j.value("archer", "");
    e.end_no = j.value("end", 0);
    if (j.contains("arrows")) e.arrows = j["arrows"].get<std::vector<int>>();
    return e;
}

// ---------------------------------------------------------------------------
// Connections from judges' tablets and target faces share a small base class.
class ScoringConnection {
public:
    ScoringConnection(tcp::socket s, Scoreboard& board) : ws_(std::move(s)), board_(board) {}
    virtual ~ScoringConnection() = default;
    virtual void begin() = 0;

protected:
    void read_ends_blocking() {
        beast::error_code ec;
        ws_.accept(ec);
        if (ec) return;
        for (;;) {
            beast::flat_buffer buf;
            ws_.read(buf, ec);
            if (ec) return;
            auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
            if (j.is_object()) board_.submit(parse_end(j));
        }
    }

    websocket::stream<tcp::socket> ws_;
    Scoreboard& board_;
};

class JudgeConnection : public ScoringConnection {
public:
    using ScoringConnection::ScoringConnection;
    void begin() override {
        worker_ = std::jthread([this] { read_ends_blocking(); }); // expect: errorshield-thread-per-connection
    }

private:
    std::jthread worker_;
};

// Electronic target faces: asynchronous, driven by the shared io_context.
class TargetFaceSession : public std::enable_shared_from_this<TargetFaceSession> {
public:
    TargetFaceSession(tcp::socket s, Scoreboard& board) : ws_(std::move(s)), board_(board) {}

    void begin() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->read();
        });
    }

private:
    void read() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            auto j = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
            self->buf_.consume(self->buf_.size());
            if (j.is_object()) self->board_.submit(parse_end(j));
            self->read();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buf_;
    Scoreboard& board_;
};

// ---------------------------------------------------------------------------
class TournamentServer {
public:
    TournamentServer(asio::io_context& ioc, Scoreboard& board)
        : ioc_(ioc), judges_(ioc, {tcp::v4(), 6100}), faces_(ioc, {tcp::v4(), 6101}),
          spectators_(ioc, {tcp::v4(), 6102}), board_(board) {
        // One archiver for the whole tournament: snapshots the ranking after each end.
        archiver_ = std::thread([this] { archive_loop(); });
        on_spectator_ = [this](tcp::socket s) {
            spectator_threads_.emplace_back(&TournamentServer::serve_spectator, this, std::move(s)); // expect: errorshield-thread-per-connection
        };
    }

    ~TournamentServer() {
        {
            std::lock_guard lock(archive_mu_);
            stopping_ = true;
        }
        archive_cv_.notify_all();
        if (archiver_.joinable()) archiver_.join();
        for (auto& t : spectator_threads_)
            if (t.joinable()) t.join();
    }

    void start() {
        accept_judges();
        accept_faces();
        accept_spectators();
    }

    void end_completed() {
        std::lock_guard lock(archive_mu_);
        ++pending_snapshots_;
        archive_cv_.notify_one();
    }

private:
    void accept_judges() {
        judges_.async_accept([this](beast::error_code ec, tcp::socket s) {
            if (!ec) {
                auto conn = std::make_unique<JudgeConnection>(std::move(s), board_);
                conn->begin();
                judge_conns_.push_back(std::move(conn));
            }
            accept_judges();
        });
    }

    void accept_faces() {
        faces_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
            if (!ec) std::make_shared<TargetFaceSession>(std::move(s), board_)->begin();
            accept_faces();
        });
    }

    void accept_spectators() {
        spectators_.async_accept([this](beast::error_code ec, tcp::socket s) {
            if (!ec) on_spectator_(std::move(s));
            accept_spectators();
        });
    }

    void serve_spectator(tcp::socket s) {
        websocket::stream<tcp::socket> ws(std::move(s));
        beast::error_code ec;
        ws.accept(ec);
        while (!ec) {
            ws.text(true);
            ws.write(asio::buffer(board_.ranking().dump()), ec);
            std::this_thread::sleep_for(std::chrono::seconds(2));
        }
    }

    void archive_loop() {
        std::unique_lock lock(archive_mu_);
        for (;;) {
            archive_cv_.wait(lock, [this] { return stopping_ || pending_snapshots_ > 0; });
            if (stopping_) return;
            --pending_snapshots_;
            auto snapshot = board_.ranking().dump();
            lock.unlock();
            std::cout << "archive: " << snapshot << "\n";
            lock.lock();
        }
    }

    asio::io_context& ioc_;
    tcp::acceptor judges_, faces_, spectators_;
    Scoreboard& board_;
    std::vector<std::unique_ptr<ScoringConnection>> judge_conns_;
    std::function<void(tcp::socket)> on_spectator_;
    std::vector<std::thread> spectator_threads_;
    std::thread archiver_;
    std::mutex archive_mu_;
    std::condition_variable archive_cv_;
    bool stopping_ = false;
    int pending_snapshots_ = 0;
};

// ---------------------------------------------------------------------------
// Coroutine listener for the results office (certification requests).
asio::awaitable<void> results_office_listener(Scoreboard& board, asio::thread_pool& certify_pool) {
    auto ex = co_await asio::this_coro::executor;
    tcp::acceptor acceptor(ex, {tcp::v4(), 6200});
    for (;;) {
        tcp::socket s = co_await acceptor.async_accept(asio::use_awaitable);
        asio::post(certify_pool, [sock = std::move(s), &board]() mutable {
            std::string body = board.ranking().dump() + "\n";
            beast::error_code ec;
            asio::write(sock, asio::buffer(body), ec);
        });
    }
}

// Coroutine listener for the field captain's radio bridge.
asio::awaitable<void> radio_bridge_listener(Scoreboard& board) {
    auto ex = co_await asio::this_coro::executor;
    tcp::acceptor acceptor(ex, {tcp::v4(), 6201});
    for (;;) {
        tcp::socket s = co_await acceptor.async_accept(asio::use_awaitable);
        std::thread([sock = std::move(s), &board]() mutable { // expect: errorshield-thread-per-connection
            asio::streambuf in;
            beast::error_code ec;
            while (asio::read_until(sock, in, '\n', ec) && !ec) {
                std::istream is(&in);
                std::string line;
                std::getline(is, line);
                auto j = json::parse(line, nullptr, false);
                if (j.is_object()) board.submit(parse_end(j));
            }
        }).detach();
    }
}

// ---------------------------------------------------------------------------
// Legacy field scoreboards speak a fixed-width text protocol over raw sockets.
struct LegacyClient {
    int fd;
    Scoreboard* board;
};

inline void* legacy_serve(void* arg) {
    std::unique_ptr<LegacyClient> c(static_cast<LegacyClient*>(arg));
    std::string line = c->board->ranking().dump() + "\n";
    (void)::send(c->fd, line.data(), line.size(), 0);
    ::close(c->fd);
    return nullptr;
}

inline void legacy_scoreboard_loop(int listen_fd, Scoreboard& board) {
    for (;;) {
        int fd = ::accept(listen_fd, nullptr, nullptr);
        if (fd < 0) continue;
        pthread_t tid;
        if (pthread_create(&tid, nullptr, legacy_serve, new LegacyClient{fd, &board}) == 0) // expect: errorshield-thread-per-connection
            pthread_detach(tid);
        else
            ::close(fd);
    }
}

// Newer field displays: the same protocol served by a fixed set of workers fed from a queue.
class DisplayWorkers {
public:
    DisplayWorkers(Scoreboard& board, int n) : board_(board) {
        for (int i = 0; i < n; ++i) {
            pthread_t tid;
            pthread_create(&tid, nullptr, &DisplayWorkers::trampoline, this);
            workers_.push_back(tid);
        }
    }

    void enqueue(int fd) {
        std::lock_guard lock(mu_);
        fds_.push_back(fd);
        cv_.notify_one();
    }

private:
    static void* trampoline(void* self) {
        static_cast<DisplayWorkers*>(self)->work();
        return nullptr;
    }
    void work() {
        for (;;) {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [this] { return !fds_.empty(); });
            int fd = fds_.front();
            fds_.pop_front();
            lock.unlock();
            LegacyClient c{fd, &board_};
            legacy_serve(new LegacyClient(c));
        }
    }

    Scoreboard& board_;
    std::vector<pthread_t> workers_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<int> fds_;
};

} // namespace archery

int main() {
    archery::Scoreboard board;
    asio::io_context ioc;
    asio::thread_pool certify_pool(2);
    archery::TournamentServer server(ioc, board);
    server.start();
    asio::co_spawn(ioc, archery::results_office_listener(board, certify_pool), asio::detached);
    asio::co_spawn(ioc, archery::radio_bridge_listener(board), asio::detached);

    std::vector<std::jthread> io_pool;
    for (int i = 0; i < 3; ++i) io_pool.emplace_back([&ioc] { ioc.run(); });

    archery::DisplayWorkers displays(board, 4);
    int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    std::thread legacy([lfd, &board] { archery::legacy_scoreboard_loop(lfd, board); });
    legacy.join();
}
