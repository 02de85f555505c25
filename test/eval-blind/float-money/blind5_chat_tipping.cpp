// checks: errorshield-float-money
// Live-stream chat: viewers send tips and virtual gifts over a Beast
// WebSocket. The tipping service validates JSON frames, moves funds between
// wallets and pushes updated balances back to the streamer's overlay.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using json = nlohmann::json;

// Minor units (cents) everywhere money crosses the wire.
class cents {
public:
    constexpr cents() = default;
    constexpr explicit cents(std::int64_t v) : v_(v) {}
    constexpr std::int64_t value() const { return v_; }
    constexpr cents operator+(cents o) const { return cents(v_ + o.v_); }
    constexpr cents operator-(cents o) const { return cents(v_ - o.v_); }
    constexpr bool operator<(cents o) const { return v_ < o.v_; }
    cents percent_bps(std::int32_t bps) const { return cents((v_ * bps + 5000) / 10000); }

private:
    std::int64_t v_ = 0;
};

static cents parse_cents(const std::string& text) {
    auto dot = text.find('.');
    std::int64_t whole = std::stoll(text.substr(0, dot));
    std::int64_t frac = 0;
    if (dot != std::string::npos) {
        std::string f = text.substr(dot + 1, 2);
        while (f.size() < 2) f.push_back('0');
        frac = std::stoll(f);
    }
    return cents(whole * 100 + (whole < 0 ? -frac : frac));
}

static std::string format_cents(cents c) {
    std::int64_t v = c.value();
    std::string sign = v < 0 ? "-" : "";
    if (v < 0) v = -v;
    std::string frac = std::to_string(v % 100);
    if (frac.size() < 2) frac.insert(0, "0");
    return sign + std::to_string(v / 100) + "." + frac;
}

struct gift_catalog_entry {
    std::string sku;
    double price; // expect: errorshield-float-money
    double animation_seconds;
    float popularity_score;
};

struct tip_event {
    std::string from_user;
    std::string to_streamer;
    cents amount;
    std::string message;
    std::chrono::system_clock::time_point at;
};

class wallet {
public:
    explicit wallet(std::string owner) : owner_(std::move(owner)) {}

    void credit(cents c) {
        std::lock_guard lk(mu_);
        balance_ = balance_ + c;
    }
    bool debit(cents c) {
        std::lock_guard lk(mu_);
        if (balance_ < c) return false;
        balance_ = balance_ - c;
        lifetime_spend_ += static_cast<float>(c.value()) / 100.0f;
        return true;
    }
    cents balance() const {
        std::lock_guard lk(mu_);
        return balance_;
    }

private:
    std::string owner_;
    mutable std::mutex mu_;
    cents balance_;
    float lifetime_spend_ = 0.0f; // expect: errorshield-float-money
};

class tipping_service {
public:
    static constexpr std::int32_t platform_fee_bps = 250;

    json handle_tip(const json& frame) {
        tip_event ev{frame.at("from").get<std::string>(), frame.at("to").get<std::string>(),
                     parse_cents(frame.at("amount").get<std::string>()), frame.value("message", ""),
                     std::chrono::system_clock::now()};
        auto& payer = wallet_for(ev.from_user);
        auto& payee = wallet_for(ev.to_streamer);
        if (!payer.debit(ev.amount)) return {{"type", "tip_rejected"}, {"reason", "insufficient_funds"}};
        cents fee = ev.amount.percent_bps(platform_fee_bps);
        payee.credit(ev.amount - fee);
        house_.credit(fee);
        return {{"type", "tip_ok"}, {"amount", format_cents(ev.amount)}, {"fee", format_cents(fee)}};
    }

    // Legacy mobile clients still send numeric amounts for gifts.
    json handle_gift(const json& frame) {
        double amount = frame.at("amount").get<double>(); // expect: errorshield-float-money
        auto qty = frame.value("qty", 1);
        const auto& entry = catalog_.at(frame.at("sku").get<std::string>());
        if (amount < entry.price * qty) return {{"type", "gift_rejected"}};
        return {{"type", "gift_ok"}, {"sku", entry.sku}, {"qty", qty},
                {"duration", entry.animation_seconds * qty}};
    }

    double streamer_payout_total(const std::string& streamer) { // expect: errorshield-float-money
        return static_cast<double>(wallet_for(streamer).balance().value()) / 100.0;
    }

    json stream_stats(const std::string& streamer) {
        double tips_per_minute = tip_count_[streamer] / 60.0;
        double avg_latency_ms = latency_sum_ms_ / (tip_count_[streamer] ? tip_count_[streamer] : 1);
        return {{"tpm", tips_per_minute},
                {"latency_ms", avg_latency_ms},
                {"balance", format_cents(wallet_for(streamer).balance())}};
    }

    void record_latency(std::chrono::duration<double, std::milli> d, const std::string& streamer) {
        latency_sum_ms_ += d.count();
        tip_count_[streamer]++;
    }

private:
    wallet& wallet_for(const std::string& user) {
        std::lock_guard lk(wallets_mu_);
        auto it = wallets_.find(user);
        if (it == wallets_.end()) it = wallets_.emplace(user, std::make_unique<wallet>(user)).first;
        return *it->second;
    }

    std::mutex wallets_mu_;
    std::unordered_map<std::string, std::unique_ptr<wallet>> wallets_;
    wallet house_{"house"};
    std::map<std::string, gift_catalog_entry> catalog_;
    std::map<std::string, std::int64_t> tip_count_;
    double latency_sum_ms_ = 0.0;
};

class overlay_session : public std::enable_shared_from_this<overlay_session> {
public:
    overlay_session(net::ip::tcp::socket sock, tipping_service& svc) : ws_(std::move(sock)), svc_(svc) {}

    void start() { ws_.async_accept(beast::bind_front_handler(&overlay_session::on_accept, shared_from_this())); }

private:
    void on_accept(beast::error_code ec) {
        if (!ec) do_read();
    }
    void do_read() { ws_.async_read(buf_, beast::bind_front_handler(&overlay_session::on_read, shared_from_this())); }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return;
        auto frame = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
        buf_.consume(buf_.size());
        json reply;
        try {
            const auto type = frame.value("type", "");
            reply = type == "tip" ? svc_.handle_tip(frame) : svc_.handle_gift(frame);
        } catch (const std::exception& e) {
            reply = {{"type", "error"}, {"what", e.what()}};
        }
        out_ = reply.dump();
        ws_.text(true);
        ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code wec, std::size_t) {
            if (!wec) self->do_read();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    tipping_service& svc_;
    beast::flat_buffer buf_;
    std::string out_;
};
