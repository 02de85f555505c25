// checks: errorshield-thread-per-connection
// Parcel locker controller: locker banks report door sensors, courier
// handhelds reserve compartments, customers open doors with pickup codes.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <iostream>
#include <map>
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

struct Compartment {
  int bank = 0;
  int slot = 0;
  bool occupied = false;
  std::string pickup_code;
};

class LockerInventory {
public:
  std::string reserve(int bank) {
    std::lock_guard lk(mu_);
    for (auto &[key, c] : slots_)
      if (c.bank == bank && !c.occupied) {
        c.occupied = true;
        c.pickup_code = std::to_string(100000 + (++seq_ * 7919) % 900000);
        return c.pickup_code;
      }
    return {};
  }
  bool release(std::string const &code) {
    std::lock_guard lk(mu_);
    for (auto &[key, c] : slots_)
      if (c.occupied && c.pickup_code == code) {
        c.occupied = false;
        c.pickup_code.clear();
        return true;
      }
    return false;
  }
  void add(int bank, int slot) {
    std::lock_guard lk(mu_);
    slots_[bank * 1000 + slot] = Compartment{bank, slot, false, {}};
  }

private:
  std::mutex mu_;
  std::map<int, Compartment> slots_;
  int seq_ = 0;
};

// Bank controllers speak a line protocol: "DOOR <slot> OPEN|CLOSED\n".
void serve_bank(tcp::socket sock, LockerInventory &inv) {
  boost::system::error_code ec;
  net::streambuf sb;
  for (;;) {
    std::size_t n = net::read_until(sock, sb, '\n', ec);
    if (ec)
      break;
    std::string line(net::buffers_begin(sb.data()), net::buffers_begin(sb.data()) + n);
    sb.consume(n);
    std::cout << "bank: " << line;
  }
  (void)inv;
}

void bank_listener(net::io_context &ioc, LockerInventory &inv, unsigned short port) {
  tcp::acceptor acc(ioc, {tcp::v4(), port});
  for (;;) {
    tcp::socket s = acc.accept();
    std::thread(serve_bank, std::move(s), std::ref(inv)).detach(); // expect: errorshield-thread-per-connection
  }
}

// Courier handhelds: one JSON request per WebSocket message.
class CourierGateway {
public:
  CourierGateway(net::io_context &ioc, LockerInventory &inv, unsigned short port)
      : acc_(ioc, {tcp::v4(), port}), inv_(inv) {}

  void run_forever() {
    for (;;) {
      tcp::socket s = acc_.accept();
      std::lock_guard lk(mu_);
      workers_.emplace_back(&CourierGateway::serve, this, std::move(s)); // expect: errorshield-thread-per-connection
    }
  }

private:
  void serve(tcp::socket s) {
    websocket::stream<tcp::socket> ws(std::move(s));
    ws.read_message_max(8 * 1024);
    ws.accept();
    beast::flat_buffer buf;
    beast::error_code ec;
    while (!ec) {
      ws.read(buf, ec);
      if (ec)
        break;
      auto req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      buf.consume(buf.size());
      std::string code = req.is_object() ? inv_.reserve(req.value("bank", 0)) : std::string{};
      ws.text(true);
      ws.write(net::buffer(json{{"code", code}}.dump()), ec);
    }
  }

  tcp::acceptor acc_;
  LockerInventory &inv_;
  std::mutex mu_;
  std::vector<std::jthread> workers_;
};

// Customer kiosks on the locker front panel (asynchronous accept).
void kiosk_accept(tcp::acceptor &acc, LockerInventory &inv) {
  acc.async_accept([&acc, &inv](beast::error_code ec, tcp::socket sock) {
    if (!ec) {
      std::thread([s = std::move(sock), &inv]() mutable { // expect: errorshield-thread-per-connection
        beast::tcp_stream stream(std::move(s));
        beast::flat_buffer buf;
        http::request<http::string_body> req;
        beast::error_code rec;
        http::read(stream, buf, req, rec);
        if (rec)
          return;
        bool ok = inv.release(std::string(req.target().substr(1)));
        http::response<http::string_body> res{ok ? http::status::ok : http::status::not_found, req.version()};
        res.body() = ok ? "door open" : "unknown code";
        res.prepare_payload();
        http::write(stream, res, rec);
      }).detach();
    }
    kiosk_accept(acc, inv);
  });
}

// Audit export for the carrier's back office.
net::awaitable<void> audit_listener(tcp::acceptor acc, LockerInventory &inv) {
  std::vector<std::future<void>> pending;
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    pending.push_back(std::async(std::launch::async, [s = std::move(s)]() mutable { // expect: errorshield-thread-per-connection
      std::string body = json{{"status", "ok"}}.dump() + "\n";
      boost::system::error_code ec;
      net::write(s, net::buffer(body), ec);
    }));
  }
  (void)inv;
}

// Legacy maintenance port used by the field engineers' serial-over-IP tool.
struct MaintArgs {
  int fd;
};
void *maint_session(void *p) {
  std::unique_ptr<MaintArgs> args(static_cast<MaintArgs *>(p));
  char buf[256];
  while (::read(args->fd, buf, sizeof buf) > 0) {
  }
  ::close(args->fd);
  return nullptr;
}

void maint_listener(unsigned short port) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(lfd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 || ::listen(lfd, 4) != 0)
    return;
  for (;;) {
    int cfd = ::accept(lfd, nullptr, nullptr);
    if (cfd < 0)
      continue;
    pthread_t tid;
    if (pthread_create(&tid, nullptr, maint_session, new MaintArgs{cfd}) == 0) // expect: errorshield-thread-per-connection
      pthread_detach(tid);
  }
}

// Telemetry for the fleet dashboard: proper async, sessions share the pool.
net::awaitable<void> telemetry_session(tcp::socket s, LockerInventory &inv) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  ws.read_message_max(4096);
  co_await ws.async_accept(net::use_awaitable);
  (void)inv;
  co_await ws.async_write(net::buffer(std::string(R"({"banks":12})")), net::use_awaitable);
}

net::awaitable<void> telemetry_listener(tcp::acceptor acc, LockerInventory &inv) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    net::co_spawn(acc.get_executor(), telemetry_session(std::move(s), inv), net::detached);
  }
}

// Firmware pushes to banks are CPU-heavy (signing); handed to a fixed pool.
void firmware_listener(tcp::acceptor &acc, net::thread_pool &signing_pool) {
  acc.async_accept([&acc, &signing_pool](beast::error_code ec, tcp::socket sock) {
    if (!ec)
      net::post(signing_pool, [s = std::make_shared<tcp::socket>(std::move(sock))] {
        boost::system::error_code wec;
        net::write(*s, net::buffer(std::string("FW 2.4.1\n")), wec);
      });
    firmware_listener(acc, signing_pool);
  });
}

int main() {
  net::io_context ioc;
  LockerInventory inv;
  for (int slot = 0; slot < 24; ++slot)
    inv.add(1, slot);

  std::atomic<bool> stop{false};
  std::thread sweeper([&] {
    while (!stop) {
      std::this_thread::sleep_for(std::chrono::minutes(1));
      std::cout << "sweeping expired reservations\n";
    }
  });

  net::thread_pool signing_pool(2);
  tcp::acceptor kiosk(ioc, {tcp::v4(), 8081});
  tcp::acceptor fw(ioc, {tcp::v4(), 8082});
  kiosk_accept(kiosk, inv);
  firmware_listener(fw, signing_pool);
  net::co_spawn(ioc, telemetry_listener(tcp::acceptor(ioc, {tcp::v4(), 8083}), inv), net::detached);

  std::vector<std::thread> io_threads;
  for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()); ++i)
    io_threads.emplace_back([&ioc] { ioc.run(); });
  for (auto &t : io_threads)
    t.join();
  stop = true;
  sweeper.join();
}
