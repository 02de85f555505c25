// checks: errorshield-ws-blocking-in-handler
// Feeding coordination for the zoo: keepers' handhelds connect over WebSocket,
// log feedings, and the server nudges the automatic feeders in the aviary and
// the aquarium.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
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
using namespace std::chrono_literals;

namespace zoo {

struct FeedingEvent {
  std::string enclosure;
  std::string keeper;
  std::string food;
  int grams = 0;
};

inline FeedingEvent parse_event(const std::string &s) {
  auto j = json::parse(s);
  return {j.at("enclosure"), j.at("keeper"), j.at("food"), j.at("grams")};
}

// Talks to the automatic feeder controllers (a tiny line protocol on TCP).
class FeederLink {
public:
  explicit FeederLink(asio::io_context &ioc) : ioc_(ioc), sock_(ioc) {}

  void dispense_blocking(const std::string &feeder, int grams) {
    tcp::resolver r(ioc_);
    auto eps = r.resolve(feeder, "7070");
    asio::connect(sock_, eps);
    std::string cmd = "DISPENSE " + std::to_string(grams) + "\n";
    asio::write(sock_, asio::buffer(cmd));
    sock_.close();
  }

private:
  asio::io_context &ioc_;
  tcp::socket sock_;
};

class KeeperSession : public std::enable_shared_from_this<KeeperSession> {
public:
  KeeperSession(tcp::socket s, FeederLink &feeders, asio::thread_pool &blocking_pool)
      : ws_(std::move(s)), feeders_(feeders), blocking_pool_(blocking_pool) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_next();
    });
  }

private:
  void read_next() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->on_message();
    });
  }

  void on_message() {
    auto ev = parse_event(beast::buffers_to_string(buf_.data()));
    buf_.consume(buf_.size());

    if (ev.enclosure == "aviary") {
      // feeder hopper needs a moment to settle before the next keeper scan
      std::this_thread::sleep_for(500ms); // expect: errorshield-ws-blocking-in-handler
    }

    if (ev.enclosure == "aquarium") {
      // the aquarium feeder is slow; run it on the blocking pool
      asio::post(blocking_pool_, [&feeders = feeders_, ev] { feeders.dispense_blocking("aquarium-feeder", ev.grams); });
    }

    ack_ = json{{"ok", true}, {"enclosure", ev.enclosure}}.dump();
    ws_.write(asio::buffer(ack_)); // expect: errorshield-ws-blocking-in-handler
    read_next();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::string ack_;
  FeederLink &feeders_;
  asio::thread_pool &blocking_pool_;
};

// Vet override channel: coroutine per vet tablet.
asio::awaitable<void> vet_channel(tcp::socket s, FeederLink &feeders) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    auto ev = parse_event(beast::buffers_to_string(buf.data()));
    buf.consume(buf.size());

    if (ev.food == "medicated") {
      feeders.dispense_blocking(ev.enclosure + "-feeder", ev.grams); // expect: errorshield-ws-blocking-in-handler
    }

    pause.expires_after(200ms);
    co_await pause.async_wait(asio::use_awaitable);
    co_await ws.async_write(asio::buffer(std::string("{\"ok\":true}")), asio::use_awaitable);
  }
}

// Audit log writer: a background thread drains a queue of lines to disk.
class AuditLog {
public:
  AuditLog() : worker_([this](std::stop_token st) { drain(st); }) {}

  void push(std::string line) {
    std::lock_guard lk(mu_);
    q_.push_back(std::move(line));
  }

private:
  void drain(std::stop_token st) {
    std::ofstream out("/var/log/zoo/feeding.log", std::ios::app);
    while (!st.stop_requested()) {
      std::vector<std::string> batch;
      {
        std::lock_guard lk(mu_);
        batch.swap(q_);
      }
      for (auto &l : batch)
        out << l << '\n';
      out.flush();
      std::this_thread::sleep_for(1s);
    }
  }

  std::mutex mu_;
  std::vector<std::string> q_;
  std::jthread worker_;
};

// Daily schedule lookup for the keeper dashboard (timer-driven refresh).
void schedule_refresh(asio::steady_timer &t, std::shared_ptr<json> schedule,
                      std::shared_ptr<std::future<json>> pending_fetch) {
  t.expires_after(5min);
  t.async_wait([&t, schedule, pending_fetch](beast::error_code ec) {
    if (ec)
      return;
    *schedule = pending_fetch->get(); // expect: errorshield-ws-blocking-in-handler
    schedule_refresh(t, schedule, pending_fetch);
  });
}

// Reptile house thermostats share the feeding tablets; handler template used
// for both plain and TLS streams.
template <class WsStream>
void on_reptile_reading(WsStream &ws, beast::flat_buffer &buf, AuditLog &audit) {
  ws.async_read(buf, [&ws, &buf, &audit](beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto reading = beast::buffers_to_string(buf.data());
    buf.consume(buf.size());
    audit.push("reptile " + reading);
    auto lim = json::parse(std::ifstream("/etc/zoo/reptile_limits.json")); // expect: errorshield-ws-blocking-in-handler
    if (json::parse(reading).value("celsius", 0.0) > lim.value("max", 35.0))
      std::cerr << "reptile house too warm\n";
    on_reptile_reading(ws, buf, audit);
  });
}

// Startup: load the enclosure map synchronously before any handler runs.
json load_enclosures_at_startup(asio::io_context &ioc) {
  std::ifstream in("/etc/zoo/enclosures.json");
  json j = json::parse(in);
  tcp::resolver r(ioc);
  for (auto &e : j["feeders"]) {
    auto eps = r.resolve(e.value("host", "localhost"), "7070");
    std::cout << "feeder " << e.value("host", "") << " -> " << eps.size() << " endpoints\n";
  }
  return j;
}

asio::awaitable<void> listen(tcp::acceptor acc, FeederLink &feeders, asio::thread_pool &pool) {
  for (;;) {
    auto s = co_await acc.async_accept(asio::use_awaitable);
    std::make_shared<KeeperSession>(std::move(s), feeders, pool)->start();
  }
}

} // namespace zoo

int main() {
  asio::io_context ioc;
  asio::thread_pool blocking_pool(4);
  auto enclosures = zoo::load_enclosures_at_startup(ioc);
  std::cout << enclosures.size() << " enclosures\n";

  zoo::FeederLink feeders(ioc);
  tcp::acceptor acc(ioc, {tcp::v4(), 8088});
  asio::co_spawn(ioc, zoo::listen(std::move(acc), feeders, blocking_pool), asio::detached);

  asio::steady_timer refresh(ioc);
  auto schedule = std::make_shared<json>();
  auto fut = std::make_shared<std::future<json>>(std::async(std::launch::async, [] { return json::object(); }));
  zoo::schedule_refresh(refresh, schedule, fut);

  ioc.run();
  blocking_pool.join();
}
