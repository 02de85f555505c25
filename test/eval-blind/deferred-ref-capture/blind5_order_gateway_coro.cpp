// checks: errorshield-deferred-ref-capture
// Order-entry gateway: C++20 coroutine sessions accept orders from trading
// clients, journal fills on a DB thread pool, and maintain market-data
// subscriptions. Cleanup of per-connection state uses a small defer helper.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace net = boost::asio;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

template <class F>
class scope_exit {
public:
    explicit scope_exit(F f) : f_(std::move(f)) {}
    scope_exit(const scope_exit&) = delete;
    scope_exit& operator=(const scope_exit&) = delete;
    ~scope_exit() {
        if (armed_) f_();
    }
    void dismiss() { armed_ = false; }

private:
    F f_;
    bool armed_ = true;
};

template <class F>
scope_exit<F> defer(F f) { return scope_exit<F>(std::move(f)); }

struct fill {
    std::string order_id;
    std::string account;
    std::int64_t qty = 0;
    std::int64_t px_ticks = 0;
};

struct connection_info {
    std::string account;
    std::string migrated_to;
    bool migrated = false;
};

class order_book_registry {
public:
    void cancel_all_for(const std::string& account) {
        std::lock_guard lk(mu_);
        open_orders_.erase(account);
    }
    void reserve(const std::string& account, std::int64_t notional) {
        std::lock_guard lk(mu_);
        reserved_[account] += notional;
    }
    void unreserve(const std::string& account, std::int64_t notional) {
        std::lock_guard lk(mu_);
        reserved_[account] -= notional;
    }

private:
    std::mutex mu_;
    std::map<std::string, std::vector<std::string>> open_orders_;
    std::map<std::string, std::int64_t> reserved_;
};

class journal {
public:
    void append(const std::string& row) {
        std::lock_guard lk(mu_);
        rows_.push_back(row);
    }

private:
    std::mutex mu_;
    std::vector<std::string> rows_;
};

class md_feed {
public:
    awaitable<void> subscribe(const std::string& topic) {
        net::steady_timer t(co_await net::this_coro::executor, std::chrono::milliseconds(5));
        co_await t.async_wait(use_awaitable);
        topics_.push_back(topic);
    }

private:
    std::vector<std::string> topics_;
};

static std::string to_csv(const fill& f) {
    return f.order_id + ',' + f.account + ',' + std::to_string(f.qty) + ',' + std::to_string(f.px_ticks);
}

class gateway {
public:
    explicit gateway(net::io_context& ioc) : ioc_(ioc), strand_(net::make_strand(ioc)), retry_timer_(ioc), db_pool_(2) {}

    // Invoked when the client connection closes.
    void on_session_closed(const connection_info& c) {
        std::string account = c.account;
        auto cancel_on_exit = defer([&] { books_.cancel_all_for(account); }); // expect: errorshield-deferred-ref-capture
        if (c.migrated) account = c.migrated_to;
        audit("session closed: " + account);
    }

    // Pre-trade reservation released if the order never reaches the venue.
    bool submit(const std::string& account, std::int64_t notional) {
        books_.reserve(account, notional);
        auto rollback = defer([&account, &notional, this] { books_.unreserve(account, notional); });
        if (!venue_up_) return false;
        rollback.dismiss();
        return true;
    }

    void subscribe_symbols(const std::vector<std::string>& symbols) {
        for (const auto& sym : symbols) {
            std::string topic = "md." + sym;
            net::co_spawn(ioc_, [this, &topic]() -> awaitable<void> { // expect: errorshield-deferred-ref-capture
                co_await feed_.subscribe(topic);
            }, net::detached);
        }
    }

    void resubscribe_symbols(const std::vector<std::string>& symbols) {
        for (const auto& sym : symbols) {
            net::co_spawn(ioc_, [this, topic = "md." + sym]() -> awaitable<void> {
                co_await feed_.subscribe(topic);
            }, net::detached);
        }
    }

    void persist_fills(const std::vector<fill>& fills) {
        for (const auto& f : fills) {
            std::string row = to_csv(f);
            net::post(db_pool_, [this, &row] { journal_.append(row); }); // expect: errorshield-deferred-ref-capture
        }
    }

    // End-of-day reconciliation: fan out, then wait for all workers.
    std::vector<std::string> reconcile(const std::vector<fill>& fills) {
        std::vector<std::string> rows(fills.size());
        net::thread_pool local(4);
        for (std::size_t i = 0; i < fills.size(); ++i)
            net::post(local, [&rows, &fills, i] { rows[i] = to_csv(fills[i]); });
        local.join();
        return rows;
    }

    void schedule_reconnect() {
        int attempt = reconnect_attempts_++;
        retry_timer_.expires_after(std::chrono::milliseconds(100) * (1 << std::min(attempt, 6)));
        retry_timer_.async_wait([this, &attempt](boost::system::error_code ec) { // expect: errorshield-deferred-ref-capture
            if (!ec) try_connect(attempt + 1);
        });
    }

    void start_drop_copy(std::string session_id) {
        net::spawn(strand_, [this, &session_id](net::yield_context yield) { // expect: errorshield-deferred-ref-capture
            net::steady_timer t(strand_, std::chrono::seconds(1));
            t.async_wait(yield);
            audit("drop copy up: " + session_id);
        }, net::detached);
    }

    awaitable<void> handle_client(tcp::socket sock) {
        std::string peer = sock.remote_endpoint().address().to_string();
        co_await send_ack(sock, peer);
        std::jthread pinger([&peer, this] { audit("pinging " + peer); });
    }

private:
    awaitable<void> send_ack(tcp::socket& sock, const std::string& peer) {
        std::string msg = "ACK " + peer + "\n";
        co_await net::async_write(sock, net::buffer(msg), use_awaitable);
    }

    void try_connect(int attempt) { audit("connect attempt " + std::to_string(attempt)); }
    void audit(const std::string& line) {
        std::lock_guard lk(audit_mu_);
        audit_log_.push_back(line);
    }

    net::io_context& ioc_;
    net::strand<net::io_context::executor_type> strand_;
    net::steady_timer retry_timer_;
    net::thread_pool db_pool_;
    order_book_registry books_;
    journal journal_;
    md_feed feed_;
    bool venue_up_ = true;
    int reconnect_attempts_ = 0;
    std::mutex audit_mu_;
    std::vector<std::string> audit_log_;
};
