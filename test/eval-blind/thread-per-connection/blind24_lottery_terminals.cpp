// checks: errorshield-thread-per-connection
// Lottery terminal gateway: retail terminals connect to sell tickets and
// validate winners; the gateway forwards to the central draw system.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <iostream>
#include <list>
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

namespace lotto {

std::atomic<std::uint64_t> g_ticket_serial{1};

json handle_request(const json &req) {
  if (req.value("op", "") == "sell")
    return {{"serial", g_ticket_serial++}, {"ok", true}};
  if (req.value("op", "") == "validate")
    return {{"prize_cents", 0}, {"ok", true}};
  return {{"ok", false}};
}

// Serve one terminal, blocking; used by the classic TCP port.
void serve_terminal(tcp::socket sock) {
  beast::error_code ec;
  asio::streambuf sb;
  for (;;) {
    asio::read_until(sock, sb, '\n', ec);
    if (ec)
      break;
    std::istream is(&sb);
    std::string line;
    std::getline(is, line);
    auto req = json::parse(line, nullptr, false);
    std::string reply = handle_request(req).dump() + "\n";
    asio::write(sock, asio::buffer(reply), ec);
    if (ec)
      break;
  }
}

// Classic terminals (pre-2019 firmware), plain line protocol.
void run_classic_port(asio::io_context &ioc, unsigned short port) {
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket sock(ioc);
    acc.accept(sock);
    std::thread(serve_terminal, std::move(sock)).detach(); // expect: errorshield-thread-per-connection
  }
}

// ---------------------------------------------------------------------------
// WebSocket terminals: async accept, session objects on the io_context.
class TerminalSession : public std::enable_shared_from_this<TerminalSession> {
public:
  explicit TerminalSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto req = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.clear();
      self->out_ = handle_request(req).dump();
      self->ws_.text(true);
      self->ws_.async_write(asio::buffer(self->out_), [self](beast::error_code ec2, std::size_t) {
        if (!ec2)
          self->read();
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::string out_;
};

void accept_ws_terminals(tcp::acceptor &acc) {
  acc.async_accept([&acc](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<TerminalSession>(std::move(s))->start();
    accept_ws_terminals(acc);
  });
}

// ---------------------------------------------------------------------------
// Kiosk self-service machines: each one gets a blocking worker, the vendor
// SDK for the bill acceptor is synchronous.
void accept_kiosks(tcp::acceptor &acc) {
  acc.async_accept([&acc](beast::error_code ec, tcp::socket s) {
    if (!ec) {
      std::thread([sock = std::move(s)]() mutable { serve_terminal(std::move(sock)); }).detach(); // expect: errorshield-thread-per-connection
    }
    accept_kiosks(acc);
  });
}

// ---------------------------------------------------------------------------
// Ticket validation at claim centres: coroutine acceptor.
asio::awaitable<void> claim_centre_listener(tcp::acceptor acc, std::vector<std::jthread> &workers) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    workers.emplace_back([sock = std::move(s)]() mutable { serve_terminal(std::move(sock)); }); // expect: errorshield-thread-per-connection
  }
}

// Claim centres after the redesign: every connection is a coroutine.
asio::awaitable<void> claim_session(tcp::socket sock) {
  asio::streambuf sb;
  for (;;) {
    co_await asio::async_read_until(sock, sb, '\n', asio::use_awaitable);
    std::istream is(&sb);
    std::string line;
    std::getline(is, line);
    std::string reply = handle_request(json::parse(line, nullptr, false)).dump() + "\n";
    co_await asio::async_write(sock, asio::buffer(reply), asio::use_awaitable);
  }
}

asio::awaitable<void> claim_centre_listener_v2(tcp::acceptor acc) {
  auto ex = co_await asio::this_coro::executor;
  for (;;) {
    tcp::socket s = co_await acc.async_accept(asio::use_awaitable);
    asio::co_spawn(ex, claim_session(std::move(s)), asio::detached);
  }
}

// ---------------------------------------------------------------------------
// Draw-night audit link: auditors connect, each gets an async task.
struct AuditGateway {
  std::mutex mu;
  std::list<std::future<void>> tasks;

  void serve(tcp::acceptor &acc) {
    for (;;) {
      tcp::socket s(acc.get_executor());
      acc.accept(s);
      std::lock_guard<std::mutex> lk(mu);
      tasks.push_back(std::async(std::launch::async, serve_terminal, std::move(s))); // expect: errorshield-thread-per-connection
    }
  }
};

// ---------------------------------------------------------------------------
// Generic gateway for partner networks; Handler does the protocol work.
template <class Handler>
class PartnerGateway {
public:
  PartnerGateway(asio::io_context &ioc, unsigned short port) : acc_(ioc, {tcp::v4(), port}) {}

  void on_accept(beast::error_code ec, tcp::socket s) {
    if (ec)
      return;
    threads_.emplace_back(Handler{}, std::move(s)); // expect: errorshield-thread-per-connection
    listen();
  }

  void listen() {
    acc_.async_accept(beast::bind_front_handler(&PartnerGateway::on_accept, this));
  }

private:
  tcp::acceptor acc_;
  std::vector<std::thread> threads_;
};

struct RetailChainHandler {
  void operator()(tcp::socket s) const { serve_terminal(std::move(s)); }
};

// Retail partner with pooled workers: connections are posted to the pool.
class PooledPartnerGateway {
public:
  PooledPartnerGateway(asio::io_context &ioc, unsigned short port)
      : acc_(ioc, {tcp::v4(), port}), pool_(4) {}

  void listen() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec)
        asio::post(pool_, [sock = std::make_shared<tcp::socket>(std::move(s))]() mutable {
          serve_terminal(std::move(*sock));
        });
      listen();
    });
  }

private:
  tcp::acceptor acc_;
  asio::thread_pool pool_;
};

} // namespace lotto

int main() {
  asio::io_context ioc;
  tcp::acceptor ws_acc(ioc, {tcp::v4(), 9443});
  tcp::acceptor kiosk_acc(ioc, {tcp::v4(), 9444});
  lotto::accept_ws_terminals(ws_acc);
  lotto::accept_kiosks(kiosk_acc);

  lotto::PartnerGateway<lotto::RetailChainHandler> partners(ioc, 9500);
  partners.listen();
  lotto::PooledPartnerGateway pooled(ioc, 9501);
  pooled.listen();

  asio::co_spawn(ioc, lotto::claim_centre_listener_v2(tcp::acceptor(ioc, {tcp::v4(), 9600})),
                 asio::detached);

  // nightly draw-close timer runs on its own thread
  std::thread draw_clock([] {
    for (;;) {
      std::this_thread::sleep_for(std::chrono::minutes(1));
      std::cout << "tickets sold: " << lotto::g_ticket_serial.load() - 1 << "\n";
    }
  });
  draw_clock.detach();

  // io_context driven by a fixed set of threads
  std::vector<std::thread> runners;
  const unsigned n = std::max(2u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i)
    runners.emplace_back([&ioc] { ioc.run(); });
  for (auto &t : runners)
    t.join();
}
