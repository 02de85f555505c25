// checks: errorshield-ws-blocking-in-handler
// Observatory telescope scheduler: astronomers book observation slots over a WebSocket,
// the scheduler drives the mount controller (LX200-style '#'-terminated protocol) and
// checks the weather station before each slew.
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using net::awaitable;
using net::use_awaitable;
using namespace std::chrono_literals;

struct Slot {
  std::string id;
  std::string target;  // e.g. "M31"
  double ra_hours = 0;
  double dec_deg = 0;
  int exposure_s = 0;
  std::string observer;
};

struct Weather {
  double wind_mps = 0;
  double humidity = 0;
  bool ok() const { return wind_mps < 12.0 && humidity < 85.0; }
};

// Synchronous query of the weather station's little HTTP server.
Weather query_weather_station(net::io_context &ioc, std::string const &host) {
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.connect(resolver.resolve(host, "80"));
  http::request<http::empty_body> req{http::verb::get, "/current.json", 11};
  req.set(http::field::host, host);
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  auto j = json::parse(res.body(), nullptr, false);
  Weather w;
  if (!j.is_discarded()) {
    w.wind_mps = j.value("wind", 99.0);
    w.humidity = j.value("rh", 100.0);
  }
  return w;
}

// Catalog of named targets, loaded once at startup.
std::vector<Slot> load_catalog(std::string const &path) {
  std::vector<Slot> out;
  std::ifstream in(path); // OK: startup, before the io_context runs
  std::string id, name;
  double ra, dec;
  while (in >> id >> name >> ra >> dec)
    out.push_back(Slot{id, name, ra, dec, 0, ""});
  return out;
}

class Scheduler;

class ObserverSession : public std::enable_shared_from_this<ObserverSession> {
public:
  ObserverSession(tcp::socket s, Scheduler &sched) : ws_(std::move(s)), sched_(sched) {}
  websocket::stream<beast::tcp_stream> ws_;
  Scheduler &sched_;
};

class Scheduler {
public:
  Scheduler(net::io_context &ioc, std::string weather_host)
      : ioc_(ioc), mount_(ioc), weather_host_(std::move(weather_host)) {}

  net::io_context &ioc_;
  tcp::socket mount_;
  net::thread_pool disk_pool_{1};
  std::string weather_host_;
  std::vector<std::shared_ptr<ObserverSession>> sessions_;
  std::deque<std::function<void()>> after_slot_jobs_;
  std::string journal_path_ = "/data/observatory/journal.log";

  // Mount I/O on the io_context: async, reply terminated by '#'.
  awaitable<std::string> mount_command(std::string cmd) {
    co_await net::async_write(mount_, net::buffer(cmd), use_awaitable);
    std::string reply;
    co_await net::async_read_until(mount_, net::dynamic_buffer(reply), '#', use_awaitable);
    co_return reply;
  }

  awaitable<void> run_slot(Slot slot) {
    auto ex = co_await net::this_coro::executor;
    Weather wx = query_weather_station(ioc_, weather_host_); // expect: errorshield-ws-blocking-in-handler
    if (!wx.ok()) {
      broadcast(json{{"slot", slot.id}, {"state", "weather_hold"}}.dump());
      co_return;
    }
    co_await mount_command(":Sr" + std::to_string(slot.ra_hours) + "#");
    co_await mount_command(":Sd" + std::to_string(slot.dec_deg) + "#");
    co_await mount_command(":MS#");

    // let the dome and mount settle before opening the shutter
    std::this_thread::sleep_for(8s); // expect: errorshield-ws-blocking-in-handler

    std::string const ping = ":GR#";
    net::write(mount_, net::buffer(ping)); // expect: errorshield-ws-blocking-in-handler
    std::string pos;
    co_await net::async_read_until(mount_, net::dynamic_buffer(pos), '#', use_awaitable);

    net::steady_timer exposure(ex);
    exposure.expires_after(std::chrono::seconds(slot.exposure_s));
    co_await exposure.async_wait(use_awaitable); // OK: async wait

    after_slot_jobs_.push_back([this, slot] {
      std::ofstream(journal_path_, std::ios::app) << slot.id << ' ' << slot.target << '\n'; // expect: errorshield-ws-blocking-in-handler
    });
    net::post(disk_pool_, [path = journal_path_, slot] {
      std::ofstream(path + ".fits-index", std::ios::app) << slot.id << '\n'; // OK: disk_pool_
    });
    broadcast(json{{"slot", slot.id}, {"state", "done"}, {"pos", pos}}.dump());
    drain_jobs();
  }

  void drain_jobs() {
    while (!after_slot_jobs_.empty()) {
      net::post(ioc_, std::move(after_slot_jobs_.front()));
      after_slot_jobs_.pop_front();
    }
  }

  void broadcast(std::string msg) {
    auto shared = std::make_shared<std::string>(std::move(msg));
    for (auto &s : sessions_) {
      s->ws_.text(true);
      s->ws_.async_write(net::buffer(*shared), [shared, s](beast::error_code, std::size_t) {});
    }
  }

  // Urgent notice (e.g. rain sensor tripped), posted onto the io_context.
  void urgent_notice(std::string const &msg) {
    net::post(ioc_, [this, msg] {
      for (auto &s : sessions_) {
        auto *session = s.get();
        session->ws_.write(net::buffer(msg)); // expect: errorshield-ws-blocking-in-handler
      }
    });
  }

  awaitable<void> serve(std::shared_ptr<ObserverSession> session) {
    co_await session->ws_.async_accept(use_awaitable);
    sessions_.push_back(session);
    beast::flat_buffer buf;
    for (;;) {
      auto [ec, n] = co_await session->ws_.async_read(buf, net::as_tuple(use_awaitable));
      if (ec)
        break;
      auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      buf.consume(buf.size());
      if (j.is_discarded())
        continue;
      if (j.value("op", "") == "book") {
        Slot slot{j.value("id", ""), j.value("target", ""), j.value("ra", 0.0),
                  j.value("dec", 0.0), j.value("exposure", 60), j.value("observer", "")};
        net::co_spawn(ioc_, run_slot(slot), net::detached);
        json ack{{"booked", slot.id}};
        std::string const text = ack.dump();
        co_await session->ws_.async_write(net::buffer(text), use_awaitable); // OK: async
      } else if (j.value("op", "") == "status") {
        std::string reply = co_await mount_command(":GR#"); // OK: async helper
        co_await session->ws_.async_write(net::buffer(reply), use_awaitable);
      }
    }
    std::erase(sessions_, session);
  }
};

// Nightly planner: runs on its own thread, may block freely.
void nightly_planner(Scheduler &sched, net::io_context &planner_ioc) {
  for (int i = 0; i < 3; ++i) {
    Weather wx = query_weather_station(planner_ioc, sched.weather_host_); // OK: own thread
    if (wx.ok())
      break;
    std::this_thread::sleep_for(10min); // OK: planner thread
  }
}

int run_observatory(std::string const &catalog_path) {
  auto catalog = load_catalog(catalog_path);
  net::io_context ioc;
  Scheduler sched(ioc, "wx.observatory.local");
  tcp::acceptor acc(ioc, {tcp::v4(), 8765});
  net::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        for (;;) {
          auto sock = co_await acc.async_accept(use_awaitable);
          auto s = std::make_shared<ObserverSession>(std::move(sock), sched);
          net::co_spawn(ioc, sched.serve(s), net::detached);
        }
      },
      net::detached);
  net::io_context planner_ioc;
  std::thread planner([&] { nightly_planner(sched, planner_ioc); });
  ioc.run();
  planner.join();
  sched.disk_pool_.join();
  return catalog.empty() ? 1 : 0;
}
