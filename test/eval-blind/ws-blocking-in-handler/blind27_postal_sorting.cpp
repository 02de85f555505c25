// checks: errorshield-ws-blocking-in-handler
// Postal sorting hub: sorter machines stream barcode scans over WebSocket,
// the hub answers with the destination chute and notifies the routing service.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace sorting {

class ChuteTable {
public:
  int chute_for(const std::string &postcode) const {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = table_.find(postcode.substr(0, 3));
    return it == table_.end() ? 0 : it->second;
  }
  void replace(std::map<std::string, int> t) {
    std::lock_guard<std::mutex> lk(mu_);
    table_ = std::move(t);
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, int> table_;
};

std::map<std::string, int> load_chute_file(const std::string &path) {
  std::map<std::string, int> t;
  std::ifstream in(path);
  std::string prefix;
  int chute = 0;
  while (in >> prefix >> chute)
    t[prefix] = chute;
  return t;
}

// One WebSocket session per sorter machine.
class SorterSession : public std::enable_shared_from_this<SorterSession> {
public:
  SorterSession(tcp::socket s, ChuteTable &chutes, asio::thread_pool &blocking)
      : ws_(std::move(s)), timer_(ws_.get_executor()), chutes_(chutes), blocking_(blocking) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(8 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_scan();
    });
  }

private:
  void read_scan() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      if (self->ws_.got_binary()) {
        // firmware sends a binary heartbeat while the belt is jammed; back off
        std::this_thread::sleep_for(250ms); // expect: errorshield-ws-blocking-in-handler
      }
      self->on_scan();
    });
  }

  void on_scan() {
    auto scan = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (scan.is_discarded()) {
      read_scan();
      return;
    }
    json reply = {{"item", scan.value("item", "")},
                  {"chute", chutes_.chute_for(scan.value("postcode", ""))}};
    ws_.write(asio::buffer(reply.dump())); // expect: errorshield-ws-blocking-in-handler
    read_scan();
  }

  websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer timer_;
  beast::flat_buffer buf_;
  ChuteTable &chutes_;
  asio::thread_pool &blocking_;

};

// Variant used on the parcel line: answers after a non-blocking pause and
// pushes chute-table reloads onto the blocking pool.
class ParcelSession : public std::enable_shared_from_this<ParcelSession> {
public:
  ParcelSession(tcp::socket s, ChuteTable &chutes, asio::thread_pool &blocking)
      : ws_(std::move(s)), timer_(ws_.get_executor()), chutes_(chutes), blocking_(blocking) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(8 * 1024);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_scan();
    });
  }

private:
  void read_scan() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto scan = json::parse(beast::buffers_to_string(self->buf_.data()), nullptr, false);
      self->buf_.consume(self->buf_.size());
      if (scan.is_discarded())
        return self->read_scan();
      if (scan.value("reload", false)) {
        asio::post(self->blocking_, [self] {
          self->chutes_.replace(load_chute_file("/etc/sorting/chutes.txt"));
        });
      }
      self->timer_.expires_after(250ms);
      self->timer_.async_wait([self, scan](beast::error_code) {
        self->reply_ = json{{"chute", self->chutes_.chute_for(scan.value("postcode", ""))}}.dump();
        self->ws_.async_write(asio::buffer(self->reply_), [self](beast::error_code e, std::size_t) {
          if (!e)
            self->read_scan();
        });
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer timer_;
  beast::flat_buffer buf_;
  std::string reply_;
  ChuteTable &chutes_;
  asio::thread_pool &blocking_;
};

// Forward a manifest to the routing service (plain HTTP).
http::response<http::string_body> post_manifest(tcp::socket &sock, const json &manifest) {
  http::request<http::string_body> req{http::verb::post, "/manifests", 11};
  req.set(http::field::host, "routing.internal");
  req.set(http::field::content_type, "application/json");
  req.body() = manifest.dump();
  req.prepare_payload();
  http::write(sock, req);
  beast::flat_buffer b;
  http::response<http::string_body> res;
  http::read(sock, b, res);
  return res;
}

// Manifest upload endpoint: the supervisor's tablet sends a bag manifest.
asio::awaitable<void> manifest_session(tcp::socket s, tcp::socket &routing) {
  websocket::stream<beast::tcp_stream> ws(std::move(s));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(64 * 1024);
  co_await ws.async_accept(asio::use_awaitable);
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, asio::use_awaitable);
    auto manifest = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    auto res = post_manifest(routing, manifest); // expect: errorshield-ws-blocking-in-handler
    co_await ws.async_write(asio::buffer(std::to_string(res.result_int())), asio::use_awaitable);
  }
}

// Address validation lookups, asked of a helper thread per hub.
class AddressValidator {
public:
  std::future<bool> validate(std::string addr) {
    return std::async(std::launch::async, [a = std::move(addr)] { return a.size() > 5; });
  }
};

template <class Stream>
void on_address_read(websocket::stream<Stream> &ws, beast::flat_buffer &buf, AddressValidator &v,
                     beast::error_code ec) {
  if (ec)
    return;
  auto fut = v.validate(beast::buffers_to_string(buf.data()));
  bool ok = fut.get(); // expect: errorshield-ws-blocking-in-handler
  buf.consume(buf.size());
  static const std::string ok_msg = "ok", bad_msg = "bad";
  ws.async_write(asio::buffer(ok ? ok_msg : bad_msg),
                 [](beast::error_code, std::size_t) {});
}

void address_session(websocket::stream<beast::tcp_stream> &ws, beast::flat_buffer &buf, AddressValidator &v) {
  ws.async_read(buf, [&ws, &buf, &v](beast::error_code ec, std::size_t) { on_address_read(ws, buf, v, ec); });
}

// Offline replay tool entry point: runs on its own thread, synchronous by design.
void replay_scans(tcp::socket sock, const std::string &log_path) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.handshake("hub.internal", "/sorters");
  std::ifstream log(log_path);
  std::string line;
  while (std::getline(log, line)) {
    ws.write(asio::buffer(line));
    std::this_thread::sleep_for(10ms);
  }
}

asio::awaitable<void> listen(tcp::acceptor acc, ChuteTable &chutes, asio::thread_pool &pool) {
  for (;;) {
    auto s = co_await acc.async_accept(asio::use_awaitable);
    std::make_shared<ParcelSession>(std::move(s), chutes, pool)->start();
  }
}

} // namespace sorting

int main() {
  asio::io_context ioc;
  asio::thread_pool blocking(2);
  sorting::ChuteTable chutes;
  chutes.replace(sorting::load_chute_file("/etc/sorting/chutes.txt"));

  tcp::acceptor letters(ioc, {tcp::v4(), 8801});
  letters.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      std::make_shared<sorting::SorterSession>(std::move(s), chutes, blocking)->start();
  });
  asio::co_spawn(ioc, sorting::listen(tcp::acceptor(ioc, {tcp::v4(), 8802}), chutes, blocking), asio::detached);

  tcp::socket routing(ioc);
  routing.connect({asio::ip::make_address("10.0.0.12"), 80});
  tcp::acceptor manifests(ioc, {tcp::v4(), 8803});
  manifests.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      asio::co_spawn(ioc, sorting::manifest_session(std::move(s), routing), asio::detached);
  });

  ioc.run();
  blocking.join();
}
