// checks: errorshield-ws-blocking-in-handler
// Freezer temperature monitor for an ice cream plant: hardening tunnel,
// blast freezers and the cold store. Probes report over WebSocket; the
// dashboard subscribes; excursions above -18 C page the shift lead.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace freezers {

constexpr double kExcursionC = -18.0;

struct Reading {
  std::string unit;  // "BF-2", "TUNNEL-1", "STORE"
  double celsius = 0.0;
};

inline Reading parse_reading(const std::string& s) {
  auto j = json::parse(s, nullptr, false);
  if (j.is_discarded()) return {};
  return {j.value("unit", ""), j.value("c", 0.0)};
}

class LatestTable {
 public:
  void update(const Reading& r) {
    std::lock_guard lk(mu_);
    latest_[r.unit] = r.celsius;
  }
  json snapshot() {
    std::lock_guard lk(mu_);
    return json(latest_);
  }

 private:
  std::mutex mu_;
  std::map<std::string, double> latest_;
};

LatestTable g_latest;

// ---------------------------------------------------------------------------
// Probe session (callback style). Probes are cheap ESP32 boards that
// sometimes double-send, so readings are acknowledged one at a time.
class ProbeSession : public std::enable_shared_from_this<ProbeSession> {
 public:
  ProbeSession(tcp::socket s, tcp::socket& pager) : ws_(std::move(s)), pager_(pager) {}

  void start() {
    ws_.read_message_max(4096);
    ws_.async_accept(beast::bind_front_handler(&ProbeSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (!ec) do_read();
  }

  void do_read() {
    ws_.async_read(buf_, beast::bind_front_handler(&ProbeSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    Reading r = parse_reading(beast::buffers_to_string(buf_.data()));
    buf_.consume(buf_.size());
    g_latest.update(r);
    ws_.write(asio::buffer(std::string("ack")));  // expect: errorshield-ws-blocking-in-handler
    if (r.celsius > kExcursionC) page(r);
    do_read();
  }

  void page(const Reading& r) {
    std::string msg = "EXCURSION " + r.unit + " " + std::to_string(r.celsius) + "\n";
    asio::write(pager_, asio::buffer(msg));  // expect: errorshield-ws-blocking-in-handler
  }

  websocket::stream<beast::tcp_stream> ws_;
  tcp::socket& pager_;
  beast::flat_buffer buf_;
};

// ---------------------------------------------------------------------------
// Dashboard session: pushes the latest table every few seconds.
class DashboardSession : public std::enable_shared_from_this<DashboardSession> {
 public:
  explicit DashboardSession(tcp::socket s) : ws_(std::move(s)), timer_(ws_.get_executor()) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->tick();
    });
  }

 private:
  void tick() {
    out_ = g_latest.snapshot().dump();
    ws_.async_write(asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->timer_.expires_after(5s);
      self->timer_.async_wait([self](beast::error_code ec2) {
        if (!ec2) self->tick();
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer timer_;
  std::string out_;
};

// ---------------------------------------------------------------------------
// Defrost controller: reads a command, waits for the coil to settle,
// then reports back.
void defrost_session(std::shared_ptr<websocket::stream<tcp::socket>> ws,
                     std::shared_ptr<beast::flat_buffer> buf) {
  ws->async_read(*buf, [ws, buf](beast::error_code ec, std::size_t) {
    if (ec) return;
    buf->consume(buf->size());
    std::this_thread::sleep_for(30s);  // expect: errorshield-ws-blocking-in-handler
    ws->async_write(asio::buffer(std::string("defrost done")), [ws, buf](beast::error_code ec2, std::size_t) {
      if (!ec2) defrost_session(ws, buf);
    });
  });
}

// Compressor rack: same idea, done properly with a timer.
void compressor_session(std::shared_ptr<websocket::stream<tcp::socket>> ws,
                        std::shared_ptr<beast::flat_buffer> buf,
                        std::shared_ptr<asio::steady_timer> settle) {
  ws->async_read(*buf, [ws, buf, settle](beast::error_code ec, std::size_t) {
    if (ec) return;
    buf->consume(buf->size());
    settle->expires_after(30s);
    settle->async_wait([ws, buf, settle](beast::error_code ec2) {
      if (ec2) return;
      ws->async_write(asio::buffer(std::string("rack stable")), [ws, buf, settle](beast::error_code ec3, std::size_t) {
        if (!ec3) compressor_session(ws, buf, settle);
      });
    });
  });
}

// ---------------------------------------------------------------------------
// Hardening tunnel gateway (coroutine). The PLC needs a pause between
// belt-speed commands.
asio::awaitable<void> tunnel_gateway(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(4096);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    g_latest.update(parse_reading(beast::buffers_to_string(buf.data())));
    buf.consume(buf.size());
    std::this_thread::sleep_for(250ms);  // expect: errorshield-ws-blocking-in-handler
    co_await ws.async_write(asio::buffer(std::string("{\"belt\":\"ok\"}")), asio::use_awaitable);
  }
}

// Cold store gateway: same pacing via an awaitable timer.
asio::awaitable<void> cold_store_gateway(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(4096);
  co_await ws.async_accept(asio::use_awaitable);
  asio::steady_timer pace(co_await asio::this_coro::executor);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    g_latest.update(parse_reading(beast::buffers_to_string(buf.data())));
    buf.consume(buf.size());
    pace.expires_after(250ms);
    co_await pace.async_wait(asio::use_awaitable);
  }
}

// ---------------------------------------------------------------------------
// HACCP log export: the auditor's request arrives on the io_context, the
// file write itself runs on the blocking-work pool.
void schedule_haccp_export(asio::io_context& ioc, asio::thread_pool& blocking_pool) {
  asio::post(ioc, [&blocking_pool] {
    json snap = g_latest.snapshot();
    asio::post(blocking_pool, [snap] {
      std::ofstream f("/var/lib/freezers/haccp.json", std::ios::app);
      f << snap.dump() << "\n";
    });
  });
}

// Shift-change report: runs the plant's legacy reporting script.
void schedule_shift_report(asio::io_context& ioc, asio::steady_timer& t) {
  t.expires_after(8h);
  t.async_wait([&ioc, &t](beast::error_code ec) {
    if (ec) return;
    std::system("/opt/plant/bin/shift_report --freezers");  // expect: errorshield-ws-blocking-in-handler
    schedule_shift_report(ioc, t);
  });
}

}  // namespace freezers

int main() {
  // Probe calibration offsets, read once before anything is served.
  std::ifstream cal("/etc/freezers/calibration.json");
  json offsets = cal ? json::parse(cal, nullptr, false) : json::object();
  std::clog << "calibration entries: " << offsets.size() << "\n";

  asio::io_context ioc;
  asio::thread_pool blocking_pool(2);

  tcp::socket pager(ioc);
  pager.connect({asio::ip::make_address("10.20.0.5"), 7400});

  tcp::acceptor acc(ioc, {tcp::v4(), 8090});
  std::function<void()> accept_loop = [&] {
    acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<freezers::ProbeSession>(std::move(s), pager)->start();
      accept_loop();
    });
  };
  accept_loop();

  asio::steady_timer shift_timer(ioc);
  freezers::schedule_shift_report(ioc, shift_timer);
  freezers::schedule_haccp_export(ioc, blocking_pool);
  ioc.run();
  blocking_pool.join();
}
