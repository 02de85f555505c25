// checks: errorshield-deferred-ref-capture
// Live cattle auction: the ring runs lots of penned cattle, online bidders
// join over WebSocket, the clerk settles sales and uploads the day's sheet.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace auction {

template <class F>
struct ScopeExit {
    F f;
    ~ScopeExit() { f(); }
};
template <class F>
ScopeExit<F> on_scope_exit(F f) {
    return ScopeExit<F>{std::move(f)};
}

// Runs f after d on the given timer unless the timer is cancelled first.
template <class F>
void after(net::steady_timer& t, std::chrono::seconds d, F f) {
    t.expires_after(d);
    t.async_wait([f = std::move(f)](beast::error_code ec) {
        if (!ec)
            f();
    });
}

struct Lot {
    int lot_no = 0;
    int head = 0;
    std::string breed;
    std::int64_t avg_weight_kg = 0;
};

struct Sale {
    int lot_no = 0;
    std::string paddle;
    std::int64_t cents_per_kg = 0;
};

class CreditDesk {
public:
    void set_limit(const std::string& paddle, std::int64_t cents) {
        std::lock_guard lk(mu_);
        limit_[paddle] = cents;
    }
    bool hold(const std::string& paddle, std::int64_t cents) {
        std::lock_guard lk(mu_);
        auto& h = held_[paddle];
        if (h + cents > limit_[paddle])
            return false;
        h += cents;
        return true;
    }
    void release(const std::string& paddle) {
        std::lock_guard lk(mu_);
        held_.erase(paddle);
    }

private:
    std::mutex mu_;
    std::map<std::string, std::int64_t> limit_, held_;
};

class BidderSession;

class BidderRegistry {
public:
    void add(const std::string& id, std::shared_ptr<BidderSession> s) {
        std::lock_guard lk(mu_);
        by_id_[id] = std::move(s);
    }
    void remove(const std::string& id) {
        std::lock_guard lk(mu_);
        by_id_.erase(id);
    }
    std::vector<std::shared_ptr<BidderSession>> all() {
        std::lock_guard lk(mu_);
        std::vector<std::shared_ptr<BidderSession>> v;
        for (auto& [id, s] : by_id_)
            v.push_back(s);
        return v;
    }

private:
    std::mutex mu_;
    std::map<std::string, std::shared_ptr<BidderSession>> by_id_;
};

// The sale ring: one lot at a time, with the auctioneer's going-once/twice calls.
class Ring {
public:
    Ring(net::io_context& ioc, BidderRegistry& bidders)
        : close_timer_(ioc), call_timer_(ioc), bidders_(bidders) {}

    void open_lot(int lot_no) {
        current_lot_ = lot_no;
        high_ = {lot_no, "", 0};
        announce("lot " + std::to_string(lot_no) + " in the ring");
        close_timer_.expires_after(90s);
        close_timer_.async_wait([this, &lot_no](beast::error_code ec) { // expect: errorshield-deferred-ref-capture
            if (!ec)
                hammer(lot_no);
        });
    }

    void bid(const std::string& paddle, std::int64_t cents_per_kg) {
        if (cents_per_kg <= high_.cents_per_kg)
            return;
        high_ = {current_lot_, paddle, cents_per_kg};
        announce(paddle + " at " + std::to_string(cents_per_kg));
        start_calls();
    }

    void start_calls() {
        int stage = 1;
        const int lot = current_lot_;
        after(call_timer_, 3s, [&] { announce(call_text(stage)); }); // expect: errorshield-deferred-ref-capture
        ++stage;
        after(call_timer_, 6s, [this, stage, lot] {
            if (lot == current_lot_)
                announce(call_text(stage));
        });
    }

    std::function<void(const Sale&)> on_sale;

private:
    static std::string call_text(int stage) { return stage == 1 ? "going once" : "going twice"; }

    void hammer(int lot_no) {
        if (lot_no != current_lot_ || high_.paddle.empty())
            return;
        announce("sold to " + high_.paddle);
        if (on_sale)
            on_sale(high_);
    }

    void announce(const std::string& text);

    net::steady_timer close_timer_;
    net::steady_timer call_timer_;
    BidderRegistry& bidders_;
    int current_lot_ = 0;
    Sale high_;
};

class BidderSession : public std::enable_shared_from_this<BidderSession> {
public:
    BidderSession(tcp::socket s, Ring& ring, CreditDesk& credit)
        : ws_(std::move(s)), ring_(ring), credit_(credit) {}

    std::function<void()> on_disconnect;

    net::awaitable<std::string> authenticate() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        co_await ws_.async_accept(net::use_awaitable);
        co_await ws_.async_read(buf_, net::use_awaitable);
        json hello = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
        buf_.consume(buf_.size());
        paddle_ = hello.is_discarded() ? std::string{} : hello.value("paddle", std::string{});
        co_return paddle_;
    }

    void start() { do_read(); }

    void send(std::string text) {
        auto msg = std::make_shared<std::string>(std::move(text));
        net::post(ws_.get_executor(), [self = shared_from_this(), msg] {
            self->outbox_.push_back(*msg);
            if (self->outbox_.size() == 1)
                self->write_next();
        });
    }

    void send_invoice(const Sale& sale) {
        int invoice_no = ++invoice_seq_;
        json inv{{"type", "invoice"}, {"no", invoice_no}, {"lot", sale.lot_no}, {"ckg", sale.cents_per_kg}};
        auto body = std::make_shared<std::string>(inv.dump());
        ws_.async_write(net::buffer(*body), [self = shared_from_this(), body, &invoice_no](beast::error_code ec, std::size_t) { // expect: errorshield-deferred-ref-capture
            if (!ec)
                std::cerr << self->paddle_ << " invoice " << invoice_no << " delivered\n";
        });
    }

private:
    void do_read() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            if (ec) {
                if (self->on_disconnect)
                    self->on_disconnect();
                return;
            }
            json msg = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
            self->buf_.consume(n);
            if (!msg.is_discarded() && msg.value("op", std::string{}) == "bid")
                self->place_bid(msg);
            self->do_read();
        });
    }

    void place_bid(const json& msg) {
        const std::int64_t ckg = msg.value("ckg", std::int64_t{0});
        const std::int64_t exposure = ckg * msg.value("kg", std::int64_t{0});
        std::string paddle = paddle_;
        if (!credit_.hold(paddle, exposure))
            return;
        auto release = on_scope_exit([&] { credit_.release(paddle); }); // expect: errorshield-deferred-ref-capture
        if (msg.contains("on_behalf_of"))
            paddle = msg["on_behalf_of"].get<std::string>();
        ring_.bid(paddle, ckg);
    }

    void write_next() {
        ws_.async_write(net::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                return;
            self->outbox_.erase(self->outbox_.begin());
            if (!self->outbox_.empty())
                self->write_next();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    Ring& ring_;
    CreditDesk& credit_;
    beast::flat_buffer buf_;
    std::vector<std::string> outbox_;
    std::string paddle_;
    int invoice_seq_ = 0;
};

void Ring::announce(const std::string& text) {
    json j{{"type", "ring"}, {"text", text}};
    for (auto& b : bidders_.all())
        b->send(j.dump());
}

// Settles sales and pushes the end-of-day sheet to the saleyard office.
class Clerk {
public:
    void record(const Sale& s) {
        std::lock_guard lk(mu_);
        sales_.push_back(s);
    }

    void upload_day_sheet() {
        std::string csv = "lot,paddle,ckg\n";
        {
            std::lock_guard lk(mu_);
            std::for_each(sales_.begin(), sales_.end(), [&](const Sale& s) {
                csv += std::to_string(s.lot_no) + "," + s.paddle + "," + std::to_string(s.cents_per_kg) + "\n";
            });
        }
        uploader_ = std::jthread([&csv] { post_to_office(csv); }); // expect: errorshield-deferred-ref-capture
    }

    void upload_buyer_summary(const std::string& paddle) {
        auto trace = on_scope_exit([&] { std::cerr << "summary queued for " << paddle << "\n"; });
        std::string summary;
        {
            std::lock_guard lk(mu_);
            for (const auto& s : sales_)
                if (s.paddle == paddle)
                    summary += std::to_string(s.lot_no) + ";";
        }
        summary_uploader_ = std::jthread([summary = std::move(summary)] { post_to_office(summary); });
    }

private:
    static void post_to_office(const std::string& body) { std::cout << "POST /daysheet " << body.size() << "\n"; }

    std::mutex mu_;
    std::vector<Sale> sales_;
    std::jthread uploader_;
    std::jthread summary_uploader_;
};

net::awaitable<void> accept_bidders(tcp::acceptor& acc, Ring& ring, CreditDesk& credit, BidderRegistry& reg) {
    std::string bidder_id;
    for (;;) {
        auto sess = std::make_shared<BidderSession>(co_await acc.async_accept(net::use_awaitable), ring, credit);
        bidder_id = co_await sess->authenticate();
        if (bidder_id.empty())
            continue;
        reg.add(bidder_id, sess);
        sess->on_disconnect = [&reg, &bidder_id] { reg.remove(bidder_id); }; // expect: errorshield-deferred-ref-capture
        sess->start();
    }
}

// Order buyers' agents sit ringside on the venue LAN.
net::awaitable<void> accept_agents(tcp::acceptor& acc, Ring& ring, CreditDesk& credit, BidderRegistry& reg) {
    for (;;) {
        auto sess = std::make_shared<BidderSession>(co_await acc.async_accept(net::use_awaitable), ring, credit);
        const std::string agent_id = co_await sess->authenticate();
        if (agent_id.empty())
            continue;
        reg.add(agent_id, sess);
        sess->on_disconnect = [&reg, agent_id] { reg.remove(agent_id); };
        sess->start();
    }
}

} // namespace auction

int main() {
    net::io_context ioc;
    auction::BidderRegistry reg;
    auction::CreditDesk credit;
    auction::Clerk clerk;
    auction::Ring ring(ioc, reg);
    ring.on_sale = [&clerk](const auction::Sale& s) { clerk.record(s); };

    tcp::acceptor online(ioc, {tcp::v4(), 8600});
    tcp::acceptor ringside(ioc, {tcp::v4(), 8601});
    net::co_spawn(ioc, auction::accept_bidders(online, ring, credit, reg), net::detached);
    net::co_spawn(ioc, auction::accept_agents(ringside, ring, credit, reg), net::detached);
    net::post(ioc, [&ring] { ring.open_lot(1); });

    ioc.run();
    clerk.upload_day_sheet();
}
