// checks: errorshield-ws-blocking-in-handler
// Live auction house: TLS WebSocket bidders; settlement uses a blocking SQL ledger on its own pool.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

struct BidRecord {
  std::string lot_id;
  std::string bidder;
  std::int64_t amount_cents = 0;
};

class CreditBureau {
public:
  std::future<bool> check_credit_async(const std::string& bidder, std::int64_t cents);
};

class LedgerClient {
public:
  bool append_sync(const BidRecord& rec); // blocking round trip to the SQL primary
};

bool parse_bid(const std::string& text, BidRecord& out);
std::string render_bid(const BidRecord& rec);
std::string render_lot_report(const std::string& lot_id);

class AuctionHouse {
public:
  explicit AuctionHouse(net::io_context& ioc) : ioc_(ioc), blocking_pool_(4) {
    settler_ = std::thread([this] {
      while (!stopping_) std::this_thread::sleep_for(1s); // own thread, not a handler
    });
  }
  ~AuctionHouse() {
    stopping_ = true;
    if (settler_.joinable()) settler_.join();
    blocking_pool_.join();
  }
  net::io_context& ioc() { return ioc_; }
  net::thread_pool& blocking_pool() { return blocking_pool_; }
  CreditBureau& bureau() { return bureau_; }
  LedgerClient& ledger() { return ledger_; }

private:
  net::io_context& ioc_;
  net::thread_pool blocking_pool_;
  CreditBureau bureau_;
  LedgerClient ledger_;
  std::atomic<bool> stopping_{false};
  std::thread settler_;
};

class BidSession : public std::enable_shared_from_this<BidSession> {
public:
  BidSession(tcp::socket sock, ssl::context& ctx, AuctionHouse& house)
      : ws_(std::move(sock), ctx), house_(house), throttle_(ws_.get_executor()),
        lot_timer_(ws_.get_executor()) {}

  void run() {
    beast::get_lowest_layer(ws_).expires_after(30s);
    ws_.next_layer().async_handshake(
        ssl::stream_base::server,
        beast::bind_front_handler(&BidSession::on_tls, shared_from_this()));
  }

private:
  void on_tls(beast::error_code ec) {
    if (ec) return;
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&BidSession::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec) {
    if (ec) return;
    // Kick off a credit pre-check; it is consumed later only once it is ready.
    prefetch_ = house_.bureau().check_credit_async(user_, 500'000);
    fetch_catalog_entry(current_lot_);
    arm_lot_timer();
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&BidSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());

    if (text == "bye") {
      std::string bye = R"({"type":"goodbye"})";
      ws_.write(net::buffer(bye)); // expect: errorshield-ws-blocking-in-handler
      return;
    }

    if (text == "ping") {
      // Too-chatty clients get delayed with a timer, not by stalling the thread.
      throttle_.expires_after(50ms);
      throttle_.async_wait([self = shared_from_this()](beast::error_code) { self->do_read(); });
      return;
    }

    auto now = std::chrono::steady_clock::now();
    if (now - last_bid_ < 200ms) {
      // anti-sniping: slow down hyperactive bidders
      std::this_thread::sleep_for(50ms); // expect: errorshield-ws-blocking-in-handler
    }
    last_bid_ = now;

    BidRecord rec;
    if (!parse_bid(text, rec)) return do_read();
    if (text.rfind("fast:", 0) == 0)
      handle_fast_bid(std::move(rec));
    else
      handle_bid(std::move(rec));
  }

  void handle_bid(BidRecord rec) {
    auto credit = house_.bureau().check_credit_async(rec.bidder, rec.amount_cents);
    if (!credit.get()) { // expect: errorshield-ws-blocking-in-handler
      queue_reply(R"({"type":"rejected","reason":"credit"})");
      do_read();
      return;
    }
    persist_async(std::move(rec));
  }

  void handle_fast_bid(BidRecord rec) {
    // Only consult the prefetched answer if it has already arrived.
    if (prefetch_.valid() && prefetch_.wait_for(0s) == std::future_status::ready) {
      bool ok = prefetch_.get();
      if (!ok) {
        queue_reply(R"({"type":"rejected","reason":"credit"})");
        do_read();
        return;
      }
      persist_async(std::move(rec));
      return;
    }
    handle_bid(std::move(rec));
  }

  void persist_async(BidRecord rec) {
    auto self = shared_from_this();
    net::post(house_.blocking_pool(), [self, rec = std::move(rec)]() mutable {
      // Runs on the dedicated blocking pool, never on the io_context threads.
      bool ok = self->house_.ledger().append_sync(rec);
      for (int attempt = 0; !ok && attempt < 3; ++attempt) {
        std::this_thread::sleep_for(100ms * (attempt + 1));
        ok = self->house_.ledger().append_sync(rec);
      }
      net::post(self->ws_.get_executor(),
                [self, ok, rec = std::move(rec)] { self->on_persisted(ok, rec); });
    });
  }

  void on_persisted(bool ok, const BidRecord& rec) {
    queue_reply(ok ? render_bid(rec) : std::string(R"({"type":"error"})"));
    fetch_reserve_price(rec.lot_id);
    do_read();
  }

  void arm_lot_timer() {
    lot_timer_.expires_after(90s);
    lot_timer_.async_wait(beast::bind_front_handler(&BidSession::on_lot_timer, shared_from_this()));
  }

  void on_lot_timer(beast::error_code ec) {
    if (ec) return;
    std::string report;
    std::thread builder([this, &report] { report = render_lot_report(current_lot_); });
    builder.join(); // expect: errorshield-ws-blocking-in-handler
    queue_reply(report);
    arm_lot_timer();
  }

  void fetch_reserve_price(std::string lot) {
    net::spawn(
        ws_.get_executor(),
        [self = shared_from_this(), lot](net::yield_context yield) {
          tcp::resolver resolver(yield.get_executor());
          auto eps = resolver.resolve("pricing.internal", "8080"); // expect: errorshield-ws-blocking-in-handler
          beast::tcp_stream stream(yield.get_executor());
          stream.expires_after(5s);
          stream.async_connect(eps, yield);
          http::request<http::empty_body> req{http::verb::get, "/reserve/" + lot, 11};
          req.set(http::field::host, "pricing.internal");
          http::async_write(stream, req, yield);
          beast::flat_buffer buf;
          http::response<http::string_body> res;
          http::async_read(stream, buf, res, yield);
          self->queue_reply(res.body());
        },
        net::detached);
  }

  void fetch_catalog_entry(std::string lot) {
    net::spawn(
        ws_.get_executor(),
        [self = shared_from_this(), lot](net::yield_context yield) {
          tcp::resolver resolver(yield.get_executor());
          auto eps = resolver.async_resolve("catalog.internal", "8080", yield);
          beast::tcp_stream stream(yield.get_executor());
          stream.expires_after(5s);
          stream.async_connect(eps, yield);
          http::request<http::empty_body> req{http::verb::get, "/lots/" + lot, 11};
          req.set(http::field::host, "catalog.internal");
          http::async_write(stream, req, yield);
          beast::flat_buffer buf;
          http::response<http::string_body> res;
          http::async_read(stream, buf, res, yield);
          self->queue_reply(res.body());
        },
        net::detached);
  }

  void queue_reply(std::string msg) {
    outbox_.push_back(std::move(msg));
    if (outbox_.size() == 1) write_next();
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return;
                      self->outbox_.pop_front();
                      if (!self->outbox_.empty())
                        self->write_next();
                    });
  }

  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws_;
  AuctionHouse& house_;
  net::steady_timer throttle_;
  net::steady_timer lot_timer_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  std::future<bool> prefetch_;
  std::string user_;
  std::string current_lot_;
  std::chrono::steady_clock::time_point last_bid_{};
};

// Startup probe run from main() before the io_context starts: blocking is fine here.
bool probe_upstream_sync(net::io_context& ioc, ssl::context& ctx) {
  tcp::resolver resolver(ioc);
  auto eps = resolver.resolve("bids.upstream", "443");
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, ctx);
  beast::get_lowest_layer(ws).connect(eps);
  ws.next_layer().handshake(ssl::stream_base::client);
  ws.handshake("bids.upstream", "/health");
  ws.write(net::buffer(std::string("ping")));
  beast::flat_buffer buf;
  ws.read(buf);
  ws.close(websocket::close_code::normal);
  return beast::buffers_to_string(buf.data()) == "pong";
}

void accept_loop(tcp::acceptor& acc, ssl::context& ctx, AuctionHouse& house) {
  acc.async_accept([&acc, &ctx, &house](beast::error_code ec, tcp::socket sock) {
    if (!ec) std::make_shared<BidSession>(std::move(sock), ctx, house)->run();
    accept_loop(acc, ctx, house);
  });
}

int main() {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tlsv12_server};
  AuctionHouse house(ioc);
  if (!probe_upstream_sync(ioc, ctx)) return 1;
  tcp::acceptor acc(ioc, {tcp::v4(), 9443});
  accept_loop(acc, ctx, house);
  std::vector<std::thread> runners;
  for (int i = 0; i < 4; ++i)
    runners.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : runners) t.join();
}
