// checks: errorshield-ws-frame-type
// Marathon timing server. RFID decoders at each timing mat (start, 10K, half,
// 30K, finish) stream packed chip reads over WebSocket; spectator apps query
// splits and finish photos; the announcer booth gets a live photo-finish feed;
// official results are uplinked to the federation as MessagePack.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

// Wire format of one read from a mat decoder (little-endian, 16 bytes).
struct ChipRead {
    std::uint32_t chip;
    std::uint16_t mat;
    std::uint16_t antenna;
    std::uint64_t t_ms;
};
static_assert(sizeof(ChipRead) == 16);

struct FinishPhoto {
    int bib = 0;
    std::uint64_t t_ms = 0;
    std::vector<std::uint8_t> jpeg;
};

class RaceState {
public:
    void record(const ChipRead& r) {
        std::lock_guard<std::mutex> lk(mu_);
        auto bib = chip_to_bib_.find(r.chip);
        if (bib == chip_to_bib_.end()) return;
        auto& splits = splits_[bib->second];
        if (!splits.count(r.mat)) splits[r.mat] = r.t_ms;
    }
    json athlete(int bib) const {
        std::lock_guard<std::mutex> lk(mu_);
        json j{{"bib", bib}, {"splits", json::object()}};
        if (auto it = splits_.find(bib); it != splits_.end())
            for (const auto& [mat, t] : it->second) j["splits"][std::to_string(mat)] = t;
        return j;
    }
    json leaderboard(std::size_t top) const {
        std::lock_guard<std::mutex> lk(mu_);
        std::multimap<std::uint64_t, int> by_time;
        for (const auto& [bib, s] : splits_)
            if (auto f = s.find(kFinishMat); f != s.end()) by_time.emplace(f->second, bib);
        json out = json::array();
        for (const auto& [t, bib] : by_time) {
            if (out.size() == top) break;
            out.push_back({{"bib", bib}, {"finish_ms", t}});
        }
        return out;
    }
    std::optional<FinishPhoto> photo(int bib) const {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = photos_.find(bib);
        if (it == photos_.end()) return std::nullopt;
        return it->second;
    }
    void add_photo(FinishPhoto p) {
        std::lock_guard<std::mutex> lk(mu_);
        photos_[p.bib] = std::move(p);
    }
    static constexpr std::uint16_t kFinishMat = 5;

private:
    mutable std::mutex mu_;
    std::map<std::uint32_t, int> chip_to_bib_;
    std::map<int, std::map<std::uint16_t, std::uint64_t>> splits_;
    std::map<int, FinishPhoto> photos_;
};

static std::vector<ChipRead> decode_chip_reads(asio::const_buffer data) {
    std::vector<ChipRead> out(data.size() / sizeof(ChipRead));
    std::memcpy(out.data(), data.data(), out.size() * sizeof(ChipRead));
    return out;
}

static std::string base64_of(const std::vector<std::uint8_t>& bytes) {
    std::string s(beast::detail::base64::encoded_size(bytes.size()), '\0');
    s.resize(beast::detail::base64::encode(s.data(), bytes.data(), bytes.size()));
    return s;
}

// ---------------------------------------------------------- mat decoders
class DecoderSession : public std::enable_shared_from_this<DecoderSession> {
public:
    DecoderSession(websocket::stream<beast::tcp_stream> ws, RaceState& race)
        : ws_(std::move(ws)), race_(race) {}

    void start() { read(); }

private:
    void read() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (!ec) self->on_read();
        });
    }
    void on_read() {
        if (ws_.got_text()) {
            // Decoder status: battery, antenna tuning, clock drift.
            json status = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
            last_status_ = status.is_object() ? status : json{};
        } else {
            for (const auto& r : decode_chip_reads(buf_.cdata())) race_.record(r);
        }
        buf_.consume(buf_.size());
        read();
    }

    websocket::stream<beast::tcp_stream> ws_;
    RaceState& race_;
    beast::flat_buffer buf_;
    json last_status_;
};

// Backup decoders upload their stored reads after the race if a mat lost power.
// They run the same firmware (and protocol) as the live decoders.
class BackupUploadSession : public std::enable_shared_from_this<BackupUploadSession> {
public:
    BackupUploadSession(websocket::stream<beast::tcp_stream> ws, RaceState& race)
        : ws_(std::move(ws)), race_(race) {}

    void start() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            if (ec) return;
            auto reads = decode_chip_reads(self->buf_.cdata()); // expect: errorshield-ws-frame-type
            for (const auto& r : reads) self->race_.record(r);
            self->buf_.consume(n);
            self->start();
        });
    }

private:
    websocket::stream<beast::tcp_stream> ws_;
    RaceState& race_;
    beast::flat_buffer buf_;
};

// ------------------------------------------------------- spectator apps
class TrackerSession : public std::enable_shared_from_this<TrackerSession> {
public:
    TrackerSession(websocket::stream<beast::tcp_stream> ws, RaceState& race)
        : ws_(std::move(ws)), race_(race) {}

    void start() { read(); }

private:
    void read() {
        ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (!ec) self->on_request();
        });
    }

    // Request/response: exactly one reply per request, next read after the write.
    void on_request() {
        json req = json::parse(beast::buffers_to_string(in_.data()), nullptr, false);
        in_.consume(in_.size());
        const std::string op = req.is_object() ? req.value("op", "") : "";
        const int bib = req.is_object() ? req.value("bib", 0) : 0;
        auto done = [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (!ec) self->read();
        };

        if (op == "athlete") {
            text_out_ = race_.athlete(bib).dump();
            ws_.text(true);
            ws_.async_write(asio::buffer(text_out_), done);
        } else if (op == "photo") {
            auto p = race_.photo(bib);
            bin_out_ = p ? p->jpeg : std::vector<std::uint8_t>{};
            ws_.binary(true);
            ws_.async_write(asio::buffer(bin_out_), done);
        } else if (op == "thumb") {
            auto p = race_.photo(bib);
            bin_out_ = p ? make_thumbnail(p->jpeg) : std::vector<std::uint8_t>{};
            ws_.text(true);
            ws_.async_write(asio::buffer(bin_out_), done); // expect: errorshield-ws-frame-type
        } else if (op == "photo_b64") {
            auto p = race_.photo(bib);
            text_out_ = json{{"bib", bib}, {"jpeg_b64", p ? base64_of(p->jpeg) : ""}}.dump();
            ws_.text(true);
            ws_.async_write(asio::buffer(text_out_), done);
        } else if (op == "leaderboard") {
            // Compact CBOR for the mobile app.
            bin_out_ = json::to_cbor(race_.leaderboard(req.value("top", 20)));
            ws_.async_write(asio::buffer(bin_out_), done); // expect: errorshield-ws-frame-type
        } else {
            text_out_ = json{{"error", "unknown op"}}.dump();
            ws_.text(true);
            ws_.async_write(asio::buffer(text_out_), done);
        }
    }

    static std::vector<std::uint8_t> make_thumbnail(const std::vector<std::uint8_t>& jpeg) {
        // The camera embeds an EXIF thumbnail; the real code extracts it.
        return {jpeg.begin(), jpeg.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(jpeg.size(), 8192))};
    }

    websocket::stream<beast::tcp_stream> ws_;
    RaceState& race_;
    beast::flat_buffer in_;
    std::string text_out_;
    std::vector<std::uint8_t> bin_out_;
};

// ----------------------------------------------------- announcer booth
struct PhotoQueue {
    std::mutex mu;
    std::deque<FinishPhoto> pending;
    std::optional<FinishPhoto> pop() {
        std::lock_guard<std::mutex> lk(mu);
        if (pending.empty()) return std::nullopt;
        FinishPhoto p = std::move(pending.front());
        pending.pop_front();
        return p;
    }
};

asio::awaitable<void> announcer_feed(websocket::stream<beast::tcp_stream> ws, PhotoQueue& photos) {
    asio::steady_timer poll(co_await asio::this_coro::executor);
    for (;;) {
        auto photo = photos.pop();
        if (!photo) {
            poll.expires_after(std::chrono::milliseconds(200));
            co_await poll.async_wait(asio::use_awaitable);
            continue;
        }
        json caption{{"bib", photo->bib}, {"finish_ms", photo->t_ms}};
        ws.text(true);
        co_await ws.async_write(asio::buffer(caption.dump()), asio::use_awaitable);
        co_await ws.async_write(asio::buffer(photo->jpeg), asio::use_awaitable); // expect: errorshield-ws-frame-type
    }
}

// ------------------------------------------------- federation uplink
class FederationUplink {
public:
    explicit FederationUplink(asio::io_context& ioc) : ws_(ioc) {}

    void connect(const std::string& host, const std::string& port) {
        tcp::resolver resolver(ws_.get_executor());
        beast::get_lowest_layer(ws_).connect(resolver.resolve(host, port));
        ws_.handshake(host, "/results/v2");
        ws_.binary(true); // protocol v2 is MessagePack
    }

    void send_results(const json& results) {
        auto packed = json::to_msgpack(results);
        ws_.binary(true);
        ws_.write(asio::buffer(packed));
    }

    void heartbeat(std::uint64_t race_clock_ms) {
        const std::string hb = json{{"type", "hb"}, {"clock_ms", race_clock_ms}}.dump();
        ws_.write(asio::buffer(hb)); // expect: errorshield-ws-frame-type
    }

    void send_status_text(const std::string& note) {
        ws_.text(true);
        ws_.write(asio::buffer(json{{"type", "note"}, {"text", note}}.dump()));
        ws_.binary(true);
    }

private:
    websocket::stream<beast::tcp_stream> ws_;
};

int main() {
    asio::io_context ioc;
    RaceState race;
    PhotoQueue photos;

    tcp::acceptor acceptor(ioc, {tcp::v4(), 7070});
    std::function<void()> accept = [&] {
        acceptor.async_accept(asio::make_strand(ioc), [&](beast::error_code ec, tcp::socket s) {
            if (ec) return accept();
            auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(s));
            ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
            ws->read_message_max(1 << 20);
            auto req = std::make_shared<beast::http::request<beast::http::string_body>>();
            auto buf = std::make_shared<beast::flat_buffer>();
            beast::http::async_read(beast::get_lowest_layer(*ws), *buf, *req,
                                    [&, ws, req, buf](beast::error_code ec, std::size_t) {
                if (ec) return;
                ws->async_accept(*req, [&, ws, req](beast::error_code ec) {
                    if (ec) return;
                    auto target = std::string(req->target());
                    if (target == "/decoder")
                        std::make_shared<DecoderSession>(std::move(*ws), race)->start();
                    else if (target == "/backup")
                        std::make_shared<BackupUploadSession>(std::move(*ws), race)->start();
                    else if (target == "/announcer")
                        asio::co_spawn(ioc, announcer_feed(std::move(*ws), photos), asio::detached);
                    else
                        std::make_shared<TrackerSession>(std::move(*ws), race)->start();
                });
            });
            accept();
        });
    };
    accept();

    FederationUplink uplink(ioc);
    uplink.connect("results.federation.example", "443");
    uplink.send_results(race.leaderboard(100));
    uplink.heartbeat(0);
    ioc.run();
}
