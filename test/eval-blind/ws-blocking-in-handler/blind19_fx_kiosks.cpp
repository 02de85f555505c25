// checks: errorshield-ws-blocking-in-handler
// Rate server for airport foreign-exchange kiosks. Kiosks keep a WebSocket open,
// receive rate ticks, ask for quotes and confirm exchanges. Rates come from an
// upstream HTTP feed polled by a dedicated thread; exchanges are recorded by the
// ledger service.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

// Rates are integer pips (1e-6 units of the quote currency).
using RateTable = std::map<std::string, std::int64_t>;

class RateBook {
 public:
  void replace(RateTable t) {
    {
      std::lock_guard lk(mu_);
      table_ = std::move(t);
      version_.fetch_add(1);
    }
    updated_.notify_all();
  }
  RateTable snapshot() const {
    std::lock_guard lk(mu_);
    return table_;
  }
  std::uint64_t version() const { return version_.load(); }
  std::mutex& mu() const { return mu_; }
  std::condition_variable& updated() { return updated_; }

 private:
  mutable std::mutex mu_;
  std::condition_variable updated_;
  RateTable table_;
  std::atomic<std::uint64_t> version_{0};
};

// Synchronous client for the upstream rate feed.
class UpstreamFeed {
 public:
  UpstreamFeed(std::string host, std::string port) : host_(std::move(host)), port_(std::move(port)) {}

  RateTable fetch_blocking() {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.connect(resolver.resolve(host_, port_));
    http::request<http::empty_body> req{http::verb::get, "/v2/rates?base=EUR", 11};
    req.set(http::field::host, host_);
    http::write(stream, req);
    beast::flat_buffer b;
    http::response<http::string_body> res;
    http::read(stream, b, res);
    RateTable t;
    for (auto& [k, v] : json::parse(res.body()).items()) t[k] = v.get<std::int64_t>();
    return t;
  }

 private:
  std::string host_, port_;
};

struct Exchange {
  std::string kiosk;
  std::string pair;
  std::int64_t amount_minor = 0;
  std::int64_t rate_pips = 0;
};

// Ledger writes run on their own pool; submit() hands back a receipt future.
class Ledger {
 public:
  std::future<std::string> submit(Exchange ex) {
    return asio::post(pool_, asio::use_future([ex = std::move(ex)] {
                        return ex.kiosk + "-" + std::to_string(ex.amount_minor);
                      }));
  }

 private:
  asio::thread_pool pool_{2};
};

class KioskSession;

struct CommandHandler {
  virtual ~CommandHandler() = default;
  virtual void handle(KioskSession& s, const json& msg) = 0;
};

class KioskSession : public std::enable_shared_from_this<KioskSession> {
 public:
  KioskSession(tcp::socket sock, RateBook& book, std::map<std::string, std::unique_ptr<CommandHandler>>& handlers)
      : ws_(std::move(sock)), book_(book), handlers_(handlers), tarpit_(ws_.get_executor()) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(16 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      asio::co_spawn(self->ws_.get_executor(), self->send_initial_snapshot(), asio::detached);
    });
  }

  void send(std::string text) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), t = std::move(text)]() mutable {
      self->outbox_.push_back(std::move(t));
      if (self->outbox_.size() == 1) self->write_next();
    });
  }

  const std::string& kiosk_id() const { return kiosk_id_; }
  RateBook& book() { return book_; }
  asio::any_io_executor executor() { return ws_.get_executor(); }

 private:
  asio::awaitable<void> send_initial_snapshot() {
    beast::flat_buffer hello;
    co_await ws_.async_read(hello, asio::use_awaitable);
    auto id = json::parse(beast::buffers_to_string(hello.data()), nullptr, false);
    if (id.is_discarded() || !id.contains("kiosk")) co_return;
    kiosk_id_ = id["kiosk"].get<std::string>();

    const std::string snap = json{{"type", "snapshot"}, {"rates", book_.snapshot()}}.dump();
    ws_.text(true);
    if (id.value("fw", 2) < 2) {
      ws_.write(asio::buffer(snap)); // expect: errorshield-ws-blocking-in-handler
    } else {
      co_await ws_.async_write(asio::buffer(snap), asio::use_awaitable);
    }
    do_read();
  }

  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    auto msg = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (msg.is_discarded()) {
      // Misbehaving kiosk firmware: slow it down before reading again.
      if (++bad_frames_ > 3) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200 * bad_frames_)); // expect: errorshield-ws-blocking-in-handler
        return do_read();
      }
      tarpit_.expires_after(100ms);
      tarpit_.async_wait([self = shared_from_this()](beast::error_code) { self->do_read(); });
      return;
    }
    bad_frames_ = 0;
    auto it = handlers_.find(msg.value("type", ""));
    if (it != handlers_.end()) it->second->handle(*this, msg);
    do_read();
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(asio::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->outbox_.pop_front();
      if (!self->outbox_.empty()) self->write_next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  RateBook& book_;
  std::map<std::string, std::unique_ptr<CommandHandler>>& handlers_;
  beast::flat_buffer buf_;
  asio::steady_timer tarpit_;
  std::deque<std::string> outbox_;
  std::string kiosk_id_;
  int bad_frames_ = 0;
};

class QuoteHandler : public CommandHandler {
 public:
  void handle(KioskSession& s, const json& msg) override {
    const auto pair = msg.value("pair", "");
    const auto rates = s.book().snapshot();
    auto it = rates.find(pair);
    s.send(json{{"type", "quote"}, {"pair", pair}, {"rate", it == rates.end() ? 0 : it->second}}.dump());
  }
};

class RefreshHandler : public CommandHandler {
 public:
  explicit RefreshHandler(UpstreamFeed* upstream) : upstream_(upstream) {}
  void handle(KioskSession& s, const json&) override {
    auto table = upstream_->fetch_blocking(); // expect: errorshield-ws-blocking-in-handler
    s.book().replace(std::move(table));
    s.send(json{{"type", "refreshed"}}.dump());
  }

 private:
  UpstreamFeed* upstream_;
};

class ConfirmHandler : public CommandHandler {
 public:
  explicit ConfirmHandler(Ledger& ledger) : ledger_(ledger) {}
  void handle(KioskSession& s, const json& msg) override {
    Exchange ex{s.kiosk_id(), msg.value("pair", ""), msg.value("amount", std::int64_t{0}),
                msg.value("rate", std::int64_t{0})};
    const std::string receipt = ledger_.submit(std::move(ex)).get(); // expect: errorshield-ws-blocking-in-handler
    s.send(json{{"type", "confirmed"}, {"receipt", receipt}}.dump());
  }

 private:
  Ledger& ledger_;
};

// Cancellations wait for the ledger on a helper pool, then reply on the session's executor.
class CancelHandler : public CommandHandler {
 public:
  CancelHandler(Ledger& ledger, asio::thread_pool& waiters) : ledger_(ledger), waiters_(waiters) {}
  void handle(KioskSession& s, const json& msg) override {
    Exchange ex{s.kiosk_id(), msg.value("pair", ""), -msg.value("amount", std::int64_t{0}),
                msg.value("rate", std::int64_t{0})};
    auto fut = std::make_shared<std::future<std::string>>(ledger_.submit(std::move(ex)));
    auto session = s.shared_from_this();
    asio::post(waiters_, [fut, session] {
      const std::string receipt = fut->get();
      session->send(json{{"type", "cancelled"}, {"receipt", receipt}}.dump());
    });
  }

 private:
  Ledger& ledger_;
  asio::thread_pool& waiters_;
};

// Pushes ticks to every session of a given kind once a second.
template <class Session>
class Broadcaster {
 public:
  Broadcaster(asio::io_context& ioc, RateBook& book) : timer_(ioc), book_(book) {}

  void add(std::weak_ptr<Session> s) {
    std::lock_guard lk(mu_);
    sessions_.push_back(std::move(s));
  }

  void start() { arm(); }

 private:
  void arm() {
    timer_.expires_after(1s);
    timer_.async_wait([this](beast::error_code ec) { on_tick(ec); });
  }

  void on_tick(beast::error_code ec) {
    if (ec) return;
    if (book_.version() == last_sent_) {
      std::unique_lock lk(book_.mu());
      book_.updated().wait(lk, [this] { return book_.version() != last_sent_; }); // expect: errorshield-ws-blocking-in-handler
    }
    last_sent_ = book_.version();
    const std::string tick = json{{"type", "tick"}, {"rates", book_.snapshot()}}.dump();
    std::lock_guard lk(mu_);
    for (auto& w : sessions_)
      if (auto s = w.lock()) s->send(tick);
    arm();
  }

  asio::steady_timer timer_;
  RateBook& book_;
  std::mutex mu_;
  std::vector<std::weak_ptr<Session>> sessions_;
  std::uint64_t last_sent_ = 0;
};

int main() {
  asio::io_context ioc;
  RateBook book;
  UpstreamFeed upstream("rates.internal", "8080");
  Ledger ledger;
  asio::thread_pool waiters{2};

  // Initial rates before any kiosk is served.
  auto first = std::async(std::launch::async, [&upstream] { return upstream.fetch_blocking(); });
  book.replace(first.get());

  // Poller thread: blocking fetch + sleep is fine here, it owns this thread.
  std::atomic<bool> stop{false};
  std::thread poller([&] {
    while (!stop) {
      try {
        book.replace(upstream.fetch_blocking());
      } catch (const std::exception& e) {
        std::cerr << "upstream: " << e.what() << "\n";
      }
      std::this_thread::sleep_for(5s);
    }
  });

  std::map<std::string, std::unique_ptr<CommandHandler>> handlers;
  handlers["quote"] = std::make_unique<QuoteHandler>();
  handlers["refresh"] = std::make_unique<RefreshHandler>(&upstream);
  handlers["confirm"] = std::make_unique<ConfirmHandler>(ledger);
  handlers["cancel"] = std::make_unique<CancelHandler>(ledger, waiters);

  Broadcaster<KioskSession> ticks(ioc, book);
  ticks.start();

  tcp::acceptor acceptor(ioc, {tcp::v4(), 9443});
  std::function<void()> accept_next = [&] {
    acceptor.async_accept([&](beast::error_code ec, tcp::socket sock) {
      if (!ec) {
        auto s = std::make_shared<KioskSession>(std::move(sock), book, handlers);
        ticks.add(s);
        s->run();
      }
      accept_next();
    });
  };
  accept_next();

  std::vector<std::thread> io;
  for (int i = 0; i < 4; ++i) io.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : io) t.join();
  stop = true;
  poller.join();
}
