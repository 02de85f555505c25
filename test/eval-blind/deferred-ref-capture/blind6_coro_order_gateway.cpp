// checks: errorshield-deferred-ref-capture
// Order-entry gateway: C++20 coroutines, stackful spawn and scoped reservations.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using asio::use_awaitable;

struct order {
  std::string client_id;
  std::string symbol;
  std::int64_t qty = 0;
  std::int64_t px_ticks = 0;
};

class order_book {
public:
  std::uint64_t place(order const &o) {
    std::lock_guard lk(mu_);
    auto id = next_++;
    live_[id] = o;
    return id;
  }
  void cancel(std::uint64_t id) {
    std::lock_guard lk(mu_);
    live_.erase(id);
  }
  bool exists(std::uint64_t id) const {
    std::lock_guard lk(mu_);
    return live_.count(id) != 0;
  }

private:
  mutable std::mutex mu_;
  std::map<std::uint64_t, order> live_;
  std::uint64_t next_ = 1;
};

class order_router {
public:
  explicit order_router(asio::any_io_executor ex) : ex_(ex) {}
  asio::awaitable<std::uint64_t> route(order const &o) {
    asio::steady_timer t(ex_, std::chrono::milliseconds(1));
    co_await t.async_wait(use_awaitable);
    co_return book_.place(o);
  }
  void audit(std::string const &line) { last_audit_ = line; }
  void preload(std::string const &sym) { warmed_.push_back(sym); }
  order_book &book() { return book_; }

private:
  asio::any_io_executor ex_;
  order_book book_;
  std::string last_audit_;
  std::vector<std::string> warmed_;
};

order parse_order(std::string const &raw) {
  auto j = json::parse(raw);
  return order{j.at("client").get<std::string>(), j.at("sym").get<std::string>(), j.at("qty").get<std::int64_t>(),
               j.at("px").get<std::int64_t>()};
}

// Fire-and-forget submission from a plain (non-coroutine) function.
void submit_async(asio::any_io_executor ex, order_router &router, std::string const &raw) {
  order ord = parse_order(raw);
  asio::co_spawn(ex, [&router, &ord]() -> asio::awaitable<void> { co_await router.route(ord); }, asio::detached); // expect: errorshield-deferred-ref-capture
}

// router is a reference to a caller-owned object: capturing it by reference
// refers to that object, not to a local. The order itself is moved in.
void submit_async_ok(asio::any_io_executor ex, order_router &router, std::string const &raw) {
  order ord = parse_order(raw);
  asio::co_spawn(
      ex, [&router, ord = std::move(ord)]() -> asio::awaitable<void> { co_await router.route(ord); }, asio::detached);
}

asio::awaitable<void> session(tcp::socket sock, order_router &router) {
  auto ex = co_await asio::this_coro::executor;
  websocket::stream<tcp::socket> ws(std::move(sock));
  beast::flat_buffer buf;
  co_await ws.async_accept(use_awaitable);
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    std::string text = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());

    asio::post(ex, [&text, &router] { router.audit(text); }); // expect: errorshield-deferred-ref-capture

    // The parent awaits the child coroutine, so its frame (and `text`) outlives it.
    auto id = co_await asio::co_spawn(
        ex, [&]() -> asio::awaitable<std::uint64_t> { co_return co_await router.route(parse_order(text)); },
        use_awaitable);

    json ack{{"type", "ack"}, {"order_id", id}};
    std::string out = ack.dump();
    co_await ws.async_write(asio::buffer(out), use_awaitable);
  }
}

asio::awaitable<void> listener(tcp::endpoint ep, order_router &router) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, ep);
  for (;;) {
    tcp::socket s = co_await acc.async_accept(use_awaitable);
    asio::co_spawn(ex, session(std::move(s), router), asio::detached);
  }
}

// Stackful heartbeat: the coroutine keeps running long after this returns.
void start_heartbeat(asio::io_context &ioc, order_router &router) {
  std::chrono::seconds period{5};
  asio::spawn(
      ioc,
      [&router, &period](asio::yield_context yield) { // expect: errorshield-deferred-ref-capture
        asio::steady_timer t(yield.get_executor());
        for (;;) {
          t.expires_after(period);
          t.async_wait(yield);
          router.audit("heartbeat");
        }
      },
      asio::detached);
}

void start_heartbeat_ok(asio::io_context &ioc, order_router &router) {
  const std::chrono::seconds period{5};
  asio::spawn(
      ioc,
      [&router, period](asio::yield_context yield) {
        asio::steady_timer t(yield.get_executor());
        for (;;) {
          t.expires_after(period);
          t.async_wait(yield);
          router.audit("heartbeat");
        }
      },
      asio::detached);
}

// Reserve a parent order; if the hedge leg cannot be placed, release the reservation.
std::optional<std::uint64_t> place_with_hedge(order_book &book, order const &parent, order const &hedge) {
  std::uint64_t reserved = book.place(parent);
  bool committed = false;
  std::shared_ptr<void> release(nullptr, [&](void *) { if (!committed) book.cancel(reserved); }); // expect: errorshield-deferred-ref-capture
  if (hedge.qty <= 0)
    return std::nullopt;
  const std::uint64_t parent_id = reserved;
  reserved = book.place(hedge);
  if (!book.exists(reserved))
    return std::nullopt;
  committed = true;
  return parent_id;
}

// Same RAII trick, but the guard is armed only after the last assignment.
std::optional<std::uint64_t> place_single(order_book &book, order const &o) {
  std::uint64_t reserved = book.place(o);
  if (o.qty > 1000)
    reserved = book.place(order{o.client_id, o.symbol, 1000, o.px_ticks});
  bool committed = false;
  std::shared_ptr<void> release(nullptr, [&](void *) {
    if (!committed)
      book.cancel(reserved);
  });
  if (!book.exists(reserved))
    return std::nullopt;
  committed = true;
  return reserved;
}

// The jthread is declared after `symbols`, so it is joined before `symbols` is destroyed.
void warm_symbols(order_router &router) {
  std::vector<std::string> symbols{"BTC-USD", "ETH-USD", "SOL-USD"};
  std::jthread loader([&] {
    for (auto const &s : symbols)
      router.preload(s);
  });
}

// Detached worker reads a vector that dies at the closing brace.
void warm_symbols_detached(order_router &router) {
  std::vector<std::string> symbols{"BTC-USD", "ETH-USD", "SOL-USD"};
  std::thread([&] { // expect: errorshield-deferred-ref-capture
    for (auto const &s : symbols)
      router.preload(s);
  }).detach();
}

int main() {
  asio::io_context ioc;
  order_router router(ioc.get_executor());
  warm_symbols(router);
  start_heartbeat_ok(ioc, router);
  submit_async_ok(ioc.get_executor(), router, R"({"client":"c1","sym":"BTC-USD","qty":1,"px":100})");
  asio::co_spawn(ioc, listener(tcp::endpoint(tcp::v4(), 7001), router), asio::detached);
  ioc.run();
}
