// checks: errorshield-ws-blocking-in-handler
// Ski rental desk backend: desk terminals talk WebSocket (C++20 coroutines),
// signature kiosks upload waiver PDFs over a plain TCP socket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace skidesk {

constexpr auto kLookupThrottle = 150ms;

struct GearItem {
  std::string sku;
  std::string kind;  // ski, board, boot, helmet
  int size = 0;      // cm for skis/boards, mondopoint for boots
  bool rented = false;
};

class Catalog {
 public:
  // Read at process start, before any io_context thread exists.
  void load_from_file(const std::string& path) {
    std::ifstream in(path);
    json j = json::parse(in, nullptr, false);
    if (!j.is_array()) return;
    std::lock_guard lk(mu_);
    for (const auto& row : j)
      items_[row.value("sku", "")] = GearItem{row.value("sku", ""), row.value("kind", ""),
                                               row.value("size", 0), false};
  }

  bool reserve(const std::string& sku) {
    std::lock_guard lk(mu_);
    auto it = items_.find(sku);
    if (it == items_.end() || it->second.rented) return false;
    it->second.rented = true;
    return true;
  }

  void release(const std::string& sku) {
    std::lock_guard lk(mu_);
    if (auto it = items_.find(sku); it != items_.end()) it->second.rented = false;
  }

  json find_by_size(const std::string& kind, int size) const {
    std::lock_guard lk(mu_);
    json out = json::array();
    for (const auto& [sku, g] : items_)
      if (g.kind == kind && !g.rented && std::abs(g.size - size) <= 5) out.push_back(sku);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, GearItem> items_;
};

// Thermal printer on a serial line. print() blocks until the bytes are out,
// so it is only ever called from the disk/printer pool.
class ReceiptPrinter {
 public:
  explicit ReceiptPrinter(const char* dev) : fd_(::open(dev, O_WRONLY | O_NOCTTY)) {}
  ~ReceiptPrinter() { if (fd_ >= 0) ::close(fd_); }
  void print(const std::string& text) {
    if (fd_ < 0) return;
    ::write(fd_, text.data(), text.size());
    ::fsync(fd_);
  }

 private:
  int fd_;
};

struct Terminal {
  explicit Terminal(tcp::socket s) : ws(std::move(s)) {}
  websocket::stream<beast::tcp_stream> ws;
  std::string desk_id;
  int lookups_in_window = 0;
};

bool pass_is_valid(const json& req) {
  const auto& pass = req.value("pass_id", std::string{});
  return pass.size() == 12 && pass.rfind("SP", 0) == 0;
}

class DeskServer {
 public:
  DeskServer(Catalog& catalog, ReceiptPrinter& printer, net::thread_pool& pool)
      : catalog_(catalog), printer_(printer), pool_(pool) {}

  net::awaitable<void> serve_terminal(tcp::socket sock) {
    auto owned = std::make_unique<Terminal>(std::move(sock));
    Terminal* t = owned.get();
    t->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    co_await t->ws.async_accept(net::use_awaitable);

    net::steady_timer throttle(co_await net::this_coro::executor);
    beast::flat_buffer buf;
    try {
      for (;;) {
        co_await t->ws.async_read(buf, net::use_awaitable);
        json req = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
        buf.consume(buf.size());
        if (req.is_discarded()) continue;
        const std::string op = req.value("op", "");

        if (op == "hello") {
          t->desk_id = req.value("desk", "desk-?");
        } else if (op == "checkout") {
          if (!pass_is_valid(req)) {
            t->ws.close(websocket::close_code::policy_error);  // expect: errorshield-ws-blocking-in-handler
            co_return;
          }
          const std::string sku = req.value("sku", "");
          const bool ok = catalog_.reserve(sku);
          std::string reply = json{{"op", "checkout"}, {"sku", sku}, {"ok", ok}}.dump();
          co_await t->ws.async_write(net::buffer(reply), net::use_awaitable);  // OK
          if (ok) {
            std::string receipt = "RENTAL " + sku + " @" + t->desk_id + "\n";
            net::post(pool_, [this, receipt] { printer_.print(receipt); });  // OK: off the loop
          }
        } else if (op == "return") {
          const std::string sku = req.value("sku", "");
          catalog_.release(sku);
          std::string reply = json{{"op", "return"}, {"sku", sku}}.dump();
          if (req.value("damaged", false)) {
            reply = json{{"op", "return"}, {"sku", sku}, {"hold", "damage_inspection"}}.dump();
            t->ws.write(net::buffer(reply));  // expect: errorshield-ws-blocking-in-handler
          } else {
            co_await t->ws.async_write(net::buffer(reply), net::use_awaitable);
          }
        } else if (op == "lookup") {
          if (++t->lookups_in_window > 20) {
            std::this_thread::sleep_for(kLookupThrottle);  // expect: errorshield-ws-blocking-in-handler
            t->lookups_in_window = 0;
          }
          std::string reply =
              json{{"op", "lookup"}, {"skus", catalog_.find_by_size(req.value("kind", ""), req.value("size", 0))}}
                  .dump();
          co_await t->ws.async_write(net::buffer(reply), net::use_awaitable);
        } else if (op == "bulk_lookup") {
          // OK: same throttle, done with a timer
          throttle.expires_after(kLookupThrottle);
          co_await throttle.async_wait(net::use_awaitable);
          json all = json::array();
          for (const auto& k : {"ski", "board", "boot"}) all.push_back(catalog_.find_by_size(k, req.value("size", 0)));
          std::string reply = json{{"op", "bulk_lookup"}, {"skus", all}}.dump();
          co_await t->ws.async_write(net::buffer(reply), net::use_awaitable);
        } else if (op == "logout") {
          co_await t->ws.async_close(websocket::close_code::normal, net::use_awaitable);  // OK
          co_return;
        }
      }
    } catch (const boost::system::system_error&) {
      // terminal went away; nothing to do
    }
  }

 private:
  Catalog& catalog_;
  ReceiptPrinter& printer_;
  net::thread_pool& pool_;
};

// Signature kiosk: streams a PDF then half-closes the socket.
class WaiverUpload : public std::enable_shared_from_this<WaiverUpload> {
 public:
  WaiverUpload(tcp::socket s, net::thread_pool& pool, std::string dir)
      : sock_(std::move(s)), pool_(pool), dir_(std::move(dir)) {}

  void start() { read_chunk(); }

 private:
  void read_chunk() {
    sock_.async_read_some(net::buffer(chunk_),
                          beast::bind_front_handler(&WaiverUpload::on_chunk, shared_from_this()));
  }

  void on_chunk(beast::error_code ec, std::size_t n) {
    blob_.append(chunk_.data(), n);
    if (!ec) return read_chunk();
    if (ec != net::error::eof || blob_.size() < 8) return;

    const std::string name = dir_ + "/waiver-" + std::to_string(++counter_) + ".pdf";
    if (blob_.find("/GuardianSig") != std::string::npos) {
      // minors: guardian copy has to exist before we ack the kiosk
      std::ofstream(name + ".guardian", std::ios::binary).write(blob_.data(), blob_.size());  // expect: errorshield-ws-blocking-in-handler
    }
    // OK: the regular copy is written on the pool
    net::post(pool_, [name, data = blob_] {
      std::ofstream(name, std::ios::binary).write(data.data(), data.size());
    });
    static const char ack[] = "OK\n";
    net::async_write(sock_, net::buffer(ack, 3),
                     [self = shared_from_this()](beast::error_code, std::size_t) {});
  }

  tcp::socket sock_;
  net::thread_pool& pool_;
  std::string dir_;
  std::array<char, 8192> chunk_{};
  std::string blob_;
  static inline std::atomic<unsigned> counter_{0};
};

// OK: end-of-day export runs on a plain thread.
void nightly_export(Catalog& catalog, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    std::this_thread::sleep_for(10min);
    std::ofstream out("/var/lib/skidesk/available.json");
    out << catalog.find_by_size("ski", 170).dump();
  }
}

net::awaitable<void> accept_terminals(tcp::acceptor& acc, DeskServer& server) {
  for (;;) {
    tcp::socket s = co_await acc.async_accept(net::use_awaitable);
    net::co_spawn(acc.get_executor(), server.serve_terminal(std::move(s)), net::detached);
  }
}

int run_desk(unsigned short ws_port, unsigned short kiosk_port) {
  Catalog catalog;
  catalog.load_from_file("/etc/skidesk/catalog.json");  // OK: before run()
  ReceiptPrinter printer("/dev/ttyUSB0");
  net::io_context ioc;
  net::thread_pool pool{2};
  DeskServer server(catalog, printer, pool);

  tcp::acceptor ws_acc{ioc, {tcp::v4(), ws_port}};
  net::co_spawn(ioc, accept_terminals(ws_acc, server), net::detached);

  tcp::acceptor kiosk_acc{ioc, {tcp::v4(), kiosk_port}};
  std::function<void()> accept_kiosk = [&] {
    kiosk_acc.async_accept([&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<WaiverUpload>(std::move(s), pool, "/var/lib/skidesk/waivers")->start();
      accept_kiosk();
    });
  };
  accept_kiosk();

  std::atomic<bool> stop{false};
  std::thread exporter(nightly_export, std::ref(catalog), std::cref(stop));
  ioc.run();
  stop = true;
  exporter.join();
  pool.join();
  return 0;
}

}  // namespace skidesk
