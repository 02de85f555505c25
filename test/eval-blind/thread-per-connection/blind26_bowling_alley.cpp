// checks: errorshield-thread-per-connection
// Bowling alley lane server: lane pinsetters report frames, the front desk books
// lanes, overhead scoreboards subscribe to live scores, the bar POS reads tabs.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace alley {

struct lane_state {
  std::mutex mu;
  std::array<int, 21> rolls{};
  int roll_count = 0;
};

std::array<lane_state, 24> g_lanes;
std::atomic<bool> g_running{true};

void record_roll(int lane, int pins) {
  auto &l = g_lanes.at(static_cast<std::size_t>(lane));
  std::lock_guard<std::mutex> lk(l.mu);
  if (l.roll_count < 21)
    l.rolls[static_cast<std::size_t>(l.roll_count++)] = pins;
}

// Pinsetter controllers speak a tiny line protocol: "<lane> <pins>\n".
void serve_pinsetter(tcp::socket sock) {
  beast::error_code ec;
  net::streambuf sb;
  while (g_running) {
    net::read_until(sock, sb, '\n', ec);
    if (ec)
      return;
    std::istream in(&sb);
    int lane = 0, pins = 0;
    in >> lane >> pins;
    sb.consume(sb.size());
    record_roll(lane, pins);
  }
}

void pinsetter_listener(unsigned short port) {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  while (g_running) {
    tcp::socket sock = acc.accept();
    std::thread(serve_pinsetter, std::move(sock)).detach(); // expect: errorshield-thread-per-connection
  }
}

// Front desk: HTTP booking API.
void serve_booking(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  beast::error_code ec;
  http::read(sock, buf, req, ec);
  if (ec)
    return;
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  res.body() = json{{"booked", true}}.dump();
  res.prepare_payload();
  http::write(sock, res, ec);
}

class booking_server {
  tcp::acceptor acc_;
  std::vector<std::thread> handlers_;

public:
  booking_server(net::io_context &ioc, unsigned short port) : acc_(ioc, {tcp::v4(), port}) {}

  void accept_next() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (ec)
        return;
      handlers_.emplace_back(serve_booking, std::move(sock)); // expect: errorshield-thread-per-connection
      accept_next();
    });
  }

  ~booking_server() {
    for (auto &t : handlers_)
      if (t.joinable())
        t.join();
  }
};

// Scoreboards: proper async WebSocket sessions on the shared io_context.
class scoreboard_session : public std::enable_shared_from_this<scoreboard_session> {
  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer tick_;
  int lane_;

public:
  scoreboard_session(tcp::socket s, int lane) : ws_(std::move(s)), tick_(ws_.get_executor()), lane_(lane) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->schedule();
    });
  }

private:
  void schedule() {
    tick_.expires_after(std::chrono::seconds(1));
    tick_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return;
      auto &l = g_lanes.at(static_cast<std::size_t>(self->lane_));
      json j;
      {
        std::lock_guard<std::mutex> lk(l.mu);
        j = json{{"lane", self->lane_}, {"rolls", l.roll_count}};
      }
      auto text = std::make_shared<std::string>(j.dump());
      self->ws_.async_write(net::buffer(*text), [self, text](beast::error_code wec, std::size_t) {
        if (!wec)
          self->schedule();
      });
    });
  }
};

net::awaitable<void> scoreboard_listener(tcp::acceptor acc) {
  int next_lane = 0;
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    std::make_shared<scoreboard_session>(std::move(s), next_lane++ % 24)->start();
  }
}

// Bar POS terminals: each terminal gets its tab polled; reuses a fixed worker pool.
void serve_pos(tcp::socket sock) {
  beast::error_code ec;
  std::string reply = "TAB 0.00\n";
  net::write(sock, net::buffer(reply), ec);
}

net::awaitable<void> pos_listener(tcp::acceptor acc, net::thread_pool &pool) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    net::post(pool, [s = std::move(s)]() mutable { serve_pos(std::move(s)); });
  }
}

// League night: captains' tablets upload team rosters.
net::awaitable<void> league_listener(tcp::acceptor acc, std::vector<std::jthread> &uploads) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    uploads.emplace_back([s = std::move(s)]() mutable { // expect: errorshield-thread-per-connection
      beast::flat_buffer buf;
      http::request<http::string_body> req;
      beast::error_code ec;
      http::read(s, buf, req, ec);
      if (!ec)
        std::cout << "roster upload " << req.body().size() << " bytes\n";
    });
  }
}

// Maintenance port for technicians; generic so tests can use a local stream.
template <class Acceptor, class Handler> void maintenance_loop(Acceptor &acc, Handler handler) {
  std::vector<std::future<void>> jobs;
  while (g_running) {
    auto sock = acc.accept();
    jobs.push_back(std::async(std::launch::async, handler, std::move(sock))); // expect: errorshield-thread-per-connection
  }
  for (auto &j : jobs)
    j.wait();
}

// Arcade machines: one thread per accepted cabinet, kept so we can join them.
class arcade_gateway {
  std::vector<std::thread> cabinets_;

public:
  void run(tcp::acceptor &acc) {
    while (g_running) {
      tcp::socket s(acc.get_executor());
      acc.accept(s);
      std::thread t([sock = std::move(s)]() mutable { // expect: errorshield-thread-per-connection
        beast::error_code ec;
        net::write(sock, net::buffer(std::string("CREDITS 3\n")), ec);
      });
      cabinets_.push_back(std::move(t));
    }
  }
  ~arcade_gateway() {
    for (auto &t : cabinets_)
      t.join();
  }
};

} // namespace alley

int main() {
  net::io_context ioc;
  net::thread_pool pos_pool(4);
  std::vector<std::jthread> uploads;

  // Background job started once: nightly lane-oil schedule reminder.
  std::thread oil_reminder([] {
    while (alley::g_running) {
      std::this_thread::sleep_for(std::chrono::minutes(30));
      std::cout << "check oil pattern on lanes 1-24\n";
    }
  });

  alley::booking_server booking(ioc, 8081);
  booking.accept_next();
  net::co_spawn(ioc, alley::scoreboard_listener(tcp::acceptor(ioc, {tcp::v4(), 8082})), net::detached);
  net::co_spawn(ioc, alley::pos_listener(tcp::acceptor(ioc, {tcp::v4(), 8083}), pos_pool), net::detached);
  net::co_spawn(ioc, alley::league_listener(tcp::acceptor(ioc, {tcp::v4(), 8084}), uploads), net::detached);

  std::thread pinsetters(alley::pinsetter_listener, static_cast<unsigned short>(9100));

  net::io_context maint_ioc;
  tcp::acceptor maint(maint_ioc, {tcp::v4(), 9200});
  std::thread maintenance([&] { alley::maintenance_loop(maint, alley::serve_pos); });

  // Run the main io_context on a fixed number of threads.
  const unsigned n = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> io_threads;
  io_threads.reserve(n);
  for (unsigned i = 0; i < n; ++i)
    io_threads.emplace_back([&ioc] { ioc.run(); });

  for (auto &t : io_threads)
    t.join();
  alley::g_running = false;
  pinsetters.join();
  maintenance.join();
  oil_reminder.join();
  pos_pool.join();
}
