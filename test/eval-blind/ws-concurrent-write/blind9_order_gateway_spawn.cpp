// checks: errorshield-ws-concurrent-write
// Stock-exchange order-entry gateway (WebSocket flavour for smaller members).
// Stackful coroutines via asio::spawn; connection state is a plain struct owned
// by the gateway map, all logic lives in free functions taking references.
// A single io thread runs everything.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

struct conn_state {
  explicit conn_state(tcp::socket s) : ws(std::move(s)), wake(ws.get_executor()) {}
  websocket::stream<beast::tcp_stream> ws;
  std::string member_id;
  std::deque<std::string> outq;
  asio::steady_timer wake;
  bool writer_running = false;
  int orders_this_second = 0;
};

struct fill_event {
  std::uint64_t session_id;
  std::string cl_ord_id;
  std::int64_t qty;
  std::int64_t price_ticks;
};

struct gateway {
  explicit gateway(asio::io_context& ioc) : drop_copy(ioc) {}
  std::map<std::uint64_t, std::shared_ptr<conn_state>> conns;
  std::uint64_t next_id = 1;
  tcp::socket drop_copy;                 // raw line feed to the compliance archive
  std::deque<std::string> drop_q;
  bool drop_busy = false;
};

// ---- outbound: one writer coroutine per connection drains outq ------------
void enqueue_out(conn_state& c, std::string msg) {
  c.outq.push_back(std::move(msg));
  c.wake.cancel();
}

void writer_main(std::shared_ptr<conn_state> c, asio::yield_context yield) {
  c->writer_running = true;
  beast::error_code ec;
  while (c->ws.is_open()) {
    if (c->outq.empty()) {
      c->wake.expires_after(std::chrono::hours(1));
      c->wake.async_wait(yield[ec]);
      continue;
    }
    std::string msg = std::move(c->outq.front());
    c->outq.pop_front();
    c->ws.async_write(asio::buffer(msg), yield[ec]);  // one at a time
    if (ec) break;
  }
  c->writer_running = false;
}

// ---- drop copy: queued, next write starts from the completion handler -----
void drop_copy_pump(gateway& gw) {
  if (gw.drop_busy || gw.drop_q.empty()) return;
  gw.drop_busy = true;
  asio::async_write(gw.drop_copy, asio::buffer(gw.drop_q.front()),
                    [&gw](beast::error_code ec, std::size_t) {
                      gw.drop_busy = false;
                      if (ec) return;
                      gw.drop_q.pop_front();
                      drop_copy_pump(gw);
                    });
}

void drop_copy_send(gateway& gw, std::string line) {
  gw.drop_q.push_back(std::move(line));
  drop_copy_pump(gw);
}

// ---- execution reports from the matching engine ---------------------------
void on_fills(gateway& gw, const std::vector<fill_event>& fills) {
  for (const auto& f : fills) {
    auto it = gw.conns.find(f.session_id);
    if (it == gw.conns.end()) continue;
    auto c = it->second;
    auto report = std::make_shared<std::string>(
        json{{"type", "exec"}, {"clOrdId", f.cl_ord_id}, {"qty", f.qty}, {"px", f.price_ticks}}.dump());
    // fills must not wait behind queued order acks, so each gets its own coroutine
    asio::spawn(c->ws.get_executor(), [c, report](asio::yield_context y) {
      beast::error_code ec;
      c->ws.async_write(asio::buffer(*report), y[ec]); // expect: errorshield-ws-concurrent-write
    }, asio::detached);

    auto line = std::make_shared<std::string>(f.cl_ord_id + "," + std::to_string(f.qty) + "\n");
    asio::async_write(gw.drop_copy, asio::buffer(*line), [line](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }
}

void on_cancel_confirmed(gateway& gw, std::uint64_t session_id, const std::string& cl_ord_id) {
  if (auto it = gw.conns.find(session_id); it != gw.conns.end())
    enqueue_out(*it->second, json{{"type", "cancelled"}, {"clOrdId", cl_ord_id}}.dump());
  drop_copy_send(gw, "CXL," + cl_ord_id + "\n");
}

// Trading halt: every member must see it before the next order is accepted.
void broadcast_halt(gateway& gw, const std::string& symbol, asio::yield_context yield) {
  std::string halt = json{{"type", "halt"}, {"symbol", symbol}}.dump();
  beast::error_code ec;
  std::vector<std::shared_ptr<conn_state>> targets;
  for (auto& [id, c] : gw.conns) targets.push_back(c);
  for (auto& c : targets) {
    c->ws.async_write(asio::buffer(halt), yield[ec]); // expect: errorshield-ws-concurrent-write
  }
}

// Session status: informational, goes through the normal queue.
void broadcast_status(gateway& gw, const std::string& status) {
  for (auto& [id, c] : gw.conns)
    enqueue_out(*c, json{{"type", "status"}, {"session", status}}.dump());
}

// ---- inbound ---------------------------------------------------------------
void handle_order(gateway& gw, conn_state& c, const json& o, asio::yield_context yield) {
  if (++c.orders_this_second > 50) {
    // throttle rejects are answered inline so the member sees them immediately
    std::string rej = json{{"type", "reject"}, {"clOrdId", o.value("clOrdId", "")},
                           {"reason", "throttle"}}.dump();
    beast::error_code ec;
    c.ws.async_write(asio::buffer(rej), yield[ec]); // expect: errorshield-ws-concurrent-write
    return;
  }
  enqueue_out(c, json{{"type", "ack"}, {"clOrdId", o.value("clOrdId", "")}}.dump());
  drop_copy_send(gw, "NEW," + o.value("clOrdId", "") + "\n");
}

void session_main(gateway& gw, std::uint64_t id, asio::yield_context yield) {
  auto c = gw.conns.at(id);
  beast::error_code ec;
  c->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  c->ws.read_message_max(4096);
  c->ws.async_accept(yield[ec]);
  if (ec) return void(gw.conns.erase(id));

  beast::flat_buffer buf;
  c->ws.async_read(buf, yield[ec]);
  if (ec) return void(gw.conns.erase(id));
  auto logon = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
  buf.clear();
  c->member_id = logon.is_discarded() ? "" : logon.value("member", "");

  // Logon response is written before the writer coroutine exists: nothing else
  // can be writing on this stream yet.
  std::string resp = json{{"type", "logon"}, {"ok", !c->member_id.empty()}}.dump();
  c->ws.async_write(asio::buffer(resp), yield[ec]);
  if (ec || c->member_id.empty()) return void(gw.conns.erase(id));

  asio::spawn(yield.get_executor(), [c](asio::yield_context y) { writer_main(c, y); },
              asio::detached);

  auto window = std::chrono::steady_clock::now();
  for (;;) {
    c->ws.async_read(buf, yield[ec]);
    if (ec) break;
    if (std::chrono::steady_clock::now() - window > std::chrono::seconds(1)) {
      window = std::chrono::steady_clock::now();
      c->orders_this_second = 0;
    }
    auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.clear();
    if (msg.is_discarded()) continue;
    if (msg.value("type", "") == "order") handle_order(gw, *c, msg, yield);
    else if (msg.value("type", "") == "cancel")
      on_cancel_confirmed(gw, id, msg.value("clOrdId", ""));
  }
  c->wake.cancel();
  gw.conns.erase(id);
}

int main() {
  asio::io_context ioc;
  gateway gw(ioc);
  gw.drop_copy.connect({asio::ip::make_address("10.1.0.9"), 7000});

  asio::spawn(ioc, [&](asio::yield_context yield) {
    tcp::acceptor acc(ioc, {tcp::v4(), 9443});
    for (;;) {
      beast::error_code ec;
      tcp::socket s = acc.async_accept(yield[ec]);
      if (ec) continue;
      std::uint64_t id = gw.next_id++;
      gw.conns.emplace(id, std::make_shared<conn_state>(std::move(s)));
      asio::spawn(ioc, [&gw, id](asio::yield_context y) { session_main(gw, id, y); },
                  asio::detached);
    }
  }, asio::detached);

  // Market-operations console: halts and session status come in on stdin-like feed.
  asio::spawn(ioc, [&](asio::yield_context yield) {
    asio::steady_timer t(ioc);
    t.expires_after(std::chrono::minutes(1));
    t.async_wait(yield);
    broadcast_status(gw, "continuous");
    broadcast_halt(gw, "ACME", yield);
  }, asio::detached);

  ioc.run();
}
