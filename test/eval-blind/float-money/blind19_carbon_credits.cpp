// checks: errorshield-float-money
// Carbon credit exchange: continuous order book for verified credits (one
// credit = one tonne CO2e) per project/vintage, broker accounts and nightly
// registry settlement.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace cx {

using Cents = std::int64_t;       // USD cents
using Tonnes = std::int64_t;      // whole credits

struct Project {
    std::string id;
    std::string methodology;
    int vintage = 0;
    double buffer_pool_pct = 0.0;
    double estimated_tonnes = 0.0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Project, id, methodology, vintage, buffer_pool_pct, estimated_tonnes)

// Indicative quote pushed by OTC desks; shown on the board, never matched.
struct IndicativeQuote {
    std::string project_id;
    int vintage = 0;
    std::string desk;
    double ask_price = 0.0; // expect: errorshield-float-money
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(IndicativeQuote, project_id, vintage, desk, ask_price)

enum class Side { Buy, Sell };

struct Order {
    std::uint64_t id = 0;
    std::string account;
    std::string project_id;
    Side side = Side::Buy;
    Cents price_per_tonne_cents = 0;
    Tonnes qty = 0;
};

struct Trade {
    std::uint64_t buy_id = 0;
    std::uint64_t sell_id = 0;
    std::string buyer;
    std::string seller;
    std::string project_id;
    Cents price_per_tonne_cents = 0;
    Tonnes qty = 0;
};

// ---- accounts ---------------------------------------------------------------

class Account {
public:
    explicit Account(std::string id) : id_(std::move(id)) {}
    virtual ~Account() = default;
    const std::string& id() const { return id_; }
    Cents balance_cents() const { return balance_cents_; }
    virtual void on_fill(const Trade& t, bool is_buyer) {
        Cents notional = t.price_per_tonne_cents * t.qty;
        balance_cents_ += is_buyer ? -notional : notional;
        holdings_[t.project_id] += is_buyer ? t.qty : -t.qty;
    }

protected:
    std::string id_;
    Cents balance_cents_ = 0;
    std::map<std::string, Tonnes> holdings_;
};

class BrokerAccount : public Account {
public:
    BrokerAccount(std::string id, int commission_bp) : Account(std::move(id)), commission_bp_(commission_bp) {}
    void on_fill(const Trade& t, bool is_buyer) override {
        Account::on_fill(t, is_buyer);
        Cents commission_cents = t.price_per_tonne_cents * t.qty * commission_bp_ / 10000;
        balance_cents_ -= commission_cents;
        commission_accrued_ += t.price_per_tonne_cents * t.qty * 0.0005;
    }

private:
    int commission_bp_;
    double commission_accrued_ = 0.0; // expect: errorshield-float-money
};

inline Cents registry_fee_cents(Tonnes qty) { return qty * 5; }   // $0.05 per credit

// Loyalty rebates for retirement volume.
void credit_rebate(Account& acct, Tonnes retired, double rebate_amount) { // expect: errorshield-float-money
    std::cout << acct.id() << " rebate for " << retired << "t: " << rebate_amount << "\n";
}

// ---- order book -------------------------------------------------------------

class Exchange {
public:
    explicit Exchange(asio::io_context& ioc) : strand_(asio::make_strand(ioc)) {
        exchange_fee_ = [](Cents notional) -> Cents { return notional * 25 / 10000; };
        on_trade_ = [this](const Trade& t) {
            double gross_amount = static_cast<double>(t.price_per_tonne_cents) / 100.0 * t.qty; // expect: errorshield-float-money
            tape_.push_back({{"project", t.project_id}, {"qty", t.qty}, {"gross", gross_amount}});
            if (tape_.size() > 500) tape_.pop_front();
        };
    }

    void open_account(std::unique_ptr<Account> a) {
        std::lock_guard<std::mutex> lk(mu_);
        std::string id = a->id();
        accounts_[id] = std::move(a);
    }

    std::vector<Trade> submit(Order o) {
        std::lock_guard<std::mutex> lk(mu_);
        o.id = ++next_id_;
        auto& book = books_[o.project_id];
        auto& opposite = o.side == Side::Buy ? book.asks : book.bids;
        std::vector<Trade> fills;
        while (o.qty > 0 && !opposite.empty()) {
            Order& best = opposite.front();
            bool crosses = o.side == Side::Buy ? best.price_per_tonne_cents <= o.price_per_tonne_cents
                                               : best.price_per_tonne_cents >= o.price_per_tonne_cents;
            if (!crosses) break;
            Tonnes q = std::min(o.qty, best.qty);
            Trade t{o.side == Side::Buy ? o.id : best.id, o.side == Side::Buy ? best.id : o.id,
                    o.side == Side::Buy ? o.account : best.account,
                    o.side == Side::Buy ? best.account : o.account, o.project_id,
                    best.price_per_tonne_cents, q};
            o.qty -= q;
            best.qty -= q;
            if (best.qty == 0) opposite.erase(opposite.begin());
            apply_fill(t);
            fills.push_back(t);
        }
        if (o.qty > 0) rest(book, o);
        return fills;
    }

    json board() {
        std::lock_guard<std::mutex> lk(mu_);
        json out = json::object();
        for (auto& [pid, book] : books_) {
            out[pid] = {{"best_bid_cents", book.bids.empty() ? 0 : book.bids.front().price_per_tonne_cents},
                        {"best_ask_cents", book.asks.empty() ? 0 : book.asks.front().price_per_tonne_cents}};
        }
        out["otc"] = quotes_;
        out["tape"] = json(std::vector<json>(tape_.begin(), tape_.end()));
        return out;
    }

    void add_quote(IndicativeQuote q) {
        std::lock_guard<std::mutex> lk(mu_);
        quotes_.push_back(std::move(q));
    }

    // Nightly batch: publish VWAP per project and push retirements to registry.
    asio::awaitable<void> settle_batch() {
        co_await asio::post(strand_, asio::use_awaitable);
        std::map<std::string, std::pair<Cents, Tonnes>> agg;
        {
            std::lock_guard<std::mutex> lk(mu_);
            for (const auto& t : settled_) {
                agg[t.project_id].first += t.price_per_tonne_cents * t.qty;
                agg[t.project_id].second += t.qty;
            }
            settled_.clear();
        }
        for (const auto& [pid, a] : agg) {
            if (a.second == 0) continue;
            Cents vwap_cents = (a.first + a.second / 2) / a.second;
            const double vwap_price = static_cast<double>(a.first) / static_cast<double>(a.second) / 100.0; // expect: errorshield-float-money
            std::cout << "vwap " << pid << " " << vwap_cents << "c (" << vwap_price << ")\n";
            Cents fee = registry_fee_cents(a.second);
            std::cout << "registry fee " << pid << " " << fee << "c\n";
            asio::steady_timer pace(strand_, std::chrono::milliseconds(50));
            co_await pace.async_wait(asio::use_awaitable);
        }
    }

private:
    struct Book {
        std::vector<Order> bids;   // best first
        std::vector<Order> asks;
    };

    void rest(Book& book, const Order& o) {
        auto& side = o.side == Side::Buy ? book.bids : book.asks;
        auto pos = std::find_if(side.begin(), side.end(), [&](const Order& r) {
            return o.side == Side::Buy ? r.price_per_tonne_cents < o.price_per_tonne_cents
                                       : r.price_per_tonne_cents > o.price_per_tonne_cents;
        });
        side.insert(pos, o);
    }

    void apply_fill(const Trade& t) {
        Cents fee_cents = exchange_fee_(t.price_per_tonne_cents * t.qty);
        if (auto it = accounts_.find(t.buyer); it != accounts_.end()) it->second->on_fill(t, true);
        if (auto it = accounts_.find(t.seller); it != accounts_.end()) it->second->on_fill(t, false);
        fees_collected_cents_ += 2 * fee_cents;
        settled_.push_back(t);
        on_trade_(t);
    }

    asio::strand<asio::io_context::executor_type> strand_;
    std::mutex mu_;
    std::uint64_t next_id_ = 0;
    std::map<std::string, Book> books_;
    std::map<std::string, std::unique_ptr<Account>> accounts_;
    std::vector<IndicativeQuote> quotes_;
    std::vector<Trade> settled_;
    std::deque<json> tape_;
    Cents fees_collected_cents_ = 0;
    double fill_ratio_ = 0.0;
    std::function<Cents(Cents)> exchange_fee_;
    std::function<void(const Trade&)> on_trade_;
};

// ---- HTTP front end (callback style) ----------------------------------------

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(tcp::socket s, Exchange& ex) : stream_(std::move(s)), ex_(ex) {}
    void start() { read(); }

private:
    void read() {
        req_ = {};
        stream_.expires_after(std::chrono::seconds(20));
        http::async_read(stream_, buf_, req_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (ec) return;
                             self->handle();
                         });
    }

    void handle() {
        json body = json::parse(req_.body(), nullptr, false);
        json out;
        if (req_.target() == "/orders" && body.is_object()) {
            Order o;
            o.account = body.value("account", "");
            o.project_id = body.value("project", "");
            o.side = body.value("side", "buy") == "sell" ? Side::Sell : Side::Buy;
            o.price_per_tonne_cents = body.value("price_cents", Cents{0});
            o.qty = body.value("qty", Tonnes{0});
            out["fills"] = ex_.submit(std::move(o)).size();
        } else if (req_.target() == "/quotes" && body.is_object()) {
            ex_.add_quote(body.get<IndicativeQuote>());
            out["ok"] = true;
        } else {
            out = ex_.board();
        }
        res_ = {http::status::ok, req_.version()};
        res_.set(http::field::content_type, "application/json");
        res_.body() = out.dump();
        res_.prepare_payload();
        http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (!ec) self->read();
        });
    }

    beast::tcp_stream stream_;
    Exchange& ex_;
    beast::flat_buffer buf_;
    http::request<http::string_body> req_;
    http::response<http::string_body> res_;
};

void accept_loop(tcp::acceptor& acc, Exchange& ex) {
    acc.async_accept([&acc, &ex](beast::error_code ec, tcp::socket s) {
        if (!ec) std::make_shared<HttpSession>(std::move(s), ex)->start();
        accept_loop(acc, ex);
    });
}

}  // namespace cx

int main() {
    asio::io_context ioc;
    cx::Exchange ex(ioc);
    ex.open_account(std::make_unique<cx::Account>("acme-offsets"));
    ex.open_account(std::make_unique<cx::BrokerAccount>("verde-brokers", 15));
    tcp::acceptor acc(ioc, {tcp::v4(), 9090});
    cx::accept_loop(acc, ex);
    asio::co_spawn(ioc, ex.settle_batch(), asio::detached);
    ioc.run();
}
