// checks: errorshield-unlocked-shared-map
// Pre-trade risk engine for an order gateway. Order-entry worker threads,
// the execution-report thread and the admin/ops thread all touch the same
// risk state. Prices are integer ticks, quantities are integer lots.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

struct order_state {
    std::string account;
    std::string symbol;
    std::int64_t qty = 0;
    std::int64_t filled = 0;
};

struct new_order {
    std::uint64_t id;
    std::string account;
    std::string symbol;
    std::int64_t qty;
};

std::unordered_map<std::uint64_t, order_state> g_open_orders;
std::mutex g_open_orders_mu;

static const std::map<std::string, std::int64_t> k_tick_sizes = [] {
    std::map<std::string, std::int64_t> m;
    m["ES"] = 25;
    m["NQ"] = 25;
    m["CL"] = 1;
    return m;
}();

template <class K, class V>
class locked_map {
public:
    template <class Fn>
    void update(const K& key, Fn&& fn) {
        std::lock_guard lk(mu_);
        fn(map_[key]);
    }
    std::optional<V> get(const K& key) const {
        std::lock_guard lk(mu_);
        auto it = map_.find(key);
        if (it == map_.end()) return std::nullopt;
        return it->second;
    }

private:
    mutable std::mutex mu_;
    std::unordered_map<K, V> map_;
};

class position_keeper {
public:
    void apply_fill(const std::string& account, const std::string& symbol, std::int64_t qty) {
        std::lock_guard lk(mu_);
        positions_[account + ':' + symbol] += qty;
    }

    std::int64_t position(const std::string& account, const std::string& symbol) const {
        std::lock_guard lk(mu_);
        auto it = positions_.find(account + ':' + symbol);
        return it == positions_.end() ? 0 : it->second;
    }

    // Called by the ops thread at the session roll.
    void reset_day() {
        positions_.clear(); // expect: errorshield-unlocked-shared-map
    }

private:
    mutable std::mutex mu_;
    std::unordered_map<std::string, std::int64_t> positions_;
};

class venue_link {
public:
    static void register_session(const std::string& venue, int fd) {
        sessions_[venue] = fd; // expect: errorshield-unlocked-shared-map
    }
    static void drop_session(const std::string& venue) {
        std::lock_guard lk(sessions_mu_);
        sessions_.erase(venue);
    }

private:
    static inline std::mutex sessions_mu_;
    static inline std::map<std::string, int> sessions_;
};

class risk_engine {
public:
    bool check_and_book(const new_order& o) {
        auto limit = limits_.get(o.account);
        if (limit && positions_.position(o.account, o.symbol) + o.qty > *limit) return false;
        g_open_orders.emplace(o.id, order_state{o.account, o.symbol, o.qty, 0}); // expect: errorshield-unlocked-shared-map
        return true;
    }

    void on_exec_report(std::uint64_t id, std::int64_t fill_qty) {
        std::unique_lock lk(g_open_orders_mu);
        auto it = g_open_orders.find(id);
        if (it == g_open_orders.end()) return;
        it->second.filled += fill_qty;
        order_state done = it->second;
        if (done.filled >= done.qty) g_open_orders.erase(it);
        lk.unlock();
        positions_.apply_fill(done.account, done.symbol, fill_qty);
    }

    void set_limit(const std::string& account, std::int64_t max_lots) {
        limits_.update(account, [max_lots](std::int64_t& v) { v = max_lots; });
    }

    void note_reject(const std::string& account) {
        reject_counts_[account]++; // expect: errorshield-unlocked-shared-map
    }

    std::int64_t tick_size(const std::string& symbol) const {
        auto it = k_tick_sizes.find(symbol);
        return it == k_tick_sizes.end() ? 1 : it->second;
    }

    position_keeper& positions() { return positions_; }

private:
    locked_map<std::string, std::int64_t> limits_;
    position_keeper positions_;
    std::unordered_map<std::string, std::uint32_t> reject_counts_;
};

// End-of-day report: each worker fills its own partial map, merged after join.
std::map<std::string, std::int64_t> exposure_by_symbol(const std::vector<order_state>& orders, unsigned shards) {
    std::vector<std::map<std::string, std::int64_t>> partial(shards);
    std::vector<std::thread> workers;
    for (unsigned s = 0; s < shards; ++s) {
        workers.emplace_back([&orders, &partial, s, shards] {
            for (std::size_t i = s; i < orders.size(); i += shards)
                partial[s][orders[i].symbol] += orders[i].qty - orders[i].filled;
        });
    }
    for (auto& w : workers) w.join();
    std::map<std::string, std::int64_t> total;
    for (const auto& p : partial)
        for (const auto& [sym, q] : p) total[sym] += q;
    return total;
}

void run_gateway(risk_engine& risk, std::vector<new_order> inbound, unsigned workers) {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> order_threads;
    for (unsigned w = 0; w < workers; ++w) {
        order_threads.emplace_back([&, w] {
            for (std::size_t i = next++; i < inbound.size(); i = next++) {
                if (!risk.check_and_book(inbound[i])) risk.note_reject(inbound[i].account);
                venue_link::register_session("XCME", static_cast<int>(w) + 3);
            }
        });
    }
    std::thread exec_thread([&risk] { risk.on_exec_report(1, 1); });
    std::thread ops_thread([&risk] {
        std::this_thread::sleep_for(std::chrono::hours(8));
        risk.positions().reset_day();
    });
    for (auto& t : order_threads) t.join();
    exec_thread.join();
    ops_thread.join();
}
