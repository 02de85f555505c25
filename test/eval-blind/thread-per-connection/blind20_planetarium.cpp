// checks: errorshield-thread-per-connection
// Planetarium show control: the operator desk, dome projectors, audio racks
// and visitor tablets all connect here; cues are broadcast to the projectors.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct Cue {
  std::uint32_t number = 0;
  std::string scene;
  double fade_seconds = 0.0;
};

// Star-field renderer: one thread for the whole dome.
class DomeRenderer {
public:
  void load_show(std::vector<Cue> cues) {
    std::lock_guard lk(mu_);
    cues_ = std::move(cues);
    if (!worker_.joinable())
      worker_ = std::jthread([this](std::stop_token st) { render_loop(st); });
  }
  void go(std::uint32_t cue) {
    std::lock_guard lk(mu_);
    current_ = cue;
    cv_.notify_one();
  }

private:
  void render_loop(std::stop_token st) {
    std::unique_lock lk(mu_);
    while (!st.stop_requested()) {
      cv_.wait_for(lk, std::chrono::milliseconds(16));
      // push frame for current_ to the projector blend server
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Cue> cues_;
  std::uint32_t current_ = 0;
  std::jthread worker_;
};

// Projectors: each one gets its own blocking session.
void projector_session(tcp::socket s, DomeRenderer &dome) {
  websocket::stream<tcp::socket> ws(std::move(s));
  ws.read_message_max(16 * 1024);
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  while (!ec) {
    ws.read(buf, ec);
    if (!ec && ws.got_text()) {
      auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      if (msg.is_object() && msg.contains("ready"))
        dome.go(msg.value("cue", 0u));
    }
    buf.consume(buf.size());
  }
}

class ProjectorHub {
public:
  ProjectorHub(net::io_context &ioc, DomeRenderer &dome) : acc_(ioc, {tcp::v4(), 9100}), dome_(dome) {}

  void serve() {
    for (;;) {
      tcp::socket s(acc_.get_executor());
      acc_.accept(s);
      reap();
      sessions_.push_back(std::thread(projector_session, std::move(s), std::ref(dome_))); // expect: errorshield-thread-per-connection
    }
  }

private:
  void reap() {
    // threads are joined at shutdown; nothing to do here yet
  }
  tcp::acceptor acc_;
  DomeRenderer &dome_;
  std::vector<std::thread> sessions_;
};

// Audio racks: asynchronous accept, but each rack gets a dedicated thread.
class AudioRackServer {
public:
  AudioRackServer(net::io_context &ioc) : acc_(ioc, {tcp::v4(), 9200}) {}

  void start() { do_accept(); }

private:
  void do_accept() {
    acc_.async_accept([this](beast::error_code ec, tcp::socket s) { on_accept(ec, std::move(s)); });
  }

  void on_accept(beast::error_code ec, tcp::socket s) {
    if (!ec) {
      std::uint64_t id = next_id_++;
      std::lock_guard lk(mu_);
      racks_.emplace(id, std::jthread([sock = std::move(s), id]() mutable { // expect: errorshield-thread-per-connection
        boost::system::error_code wec;
        std::string hello = "RACK " + std::to_string(id) + " LEVEL -12dB\n";
        net::write(sock, net::buffer(hello), wec);
      }));
    }
    do_accept();
  }

  tcp::acceptor acc_;
  std::mutex mu_;
  std::map<std::uint64_t, std::jthread> racks_;
  std::atomic<std::uint64_t> next_id_{1};
};

// Generic acceptor used for a few small auxiliary protocols.
template <class Session>
void accept_forever(tcp::acceptor &acc) {
  for (;;) {
    tcp::socket s = acc.accept();
    std::thread([sock = std::move(s)]() mutable { Session(std::move(sock)).run(); }).detach(); // expect: errorshield-thread-per-connection
  }
}

struct HouseLightsSession {
  explicit HouseLightsSession(tcp::socket s) : sock(std::move(s)) {}
  void run() {
    boost::system::error_code ec;
    net::write(sock, net::buffer(std::string("LIGHTS 20%\n")), ec);
  }
  tcp::socket sock;
};

// Visitor tablets (star-name lookups) via a stackful accept loop.
void start_tablet_listener(net::io_context &ioc) {
  net::spawn(
      ioc,
      [&ioc](net::yield_context yield) {
        tcp::acceptor acc(ioc, {tcp::v4(), 9300});
        for (;;) {
          beast::error_code ec;
          tcp::socket s = acc.async_accept(yield[ec]);
          if (ec)
            continue;
          std::thread t([sock = std::move(s)]() mutable { // expect: errorshield-thread-per-connection
            boost::system::error_code wec;
            net::write(sock, net::buffer(std::string(R"({"star":"Vega","mag":0.03})")), wec);
          });
          t.detach();
        }
      },
      net::detached);
}

// Operator desk: coroutine per connection on the shared io threads.
net::awaitable<void> desk_session(websocket::stream<beast::tcp_stream> ws, DomeRenderer &dome) {
  ws.read_message_max(32 * 1024);
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, net::use_awaitable);
    auto msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (!msg.is_object())
      continue;
    if (msg.value("op", "") == "load") {
      std::vector<Cue> cues;
      for (auto const &c : msg.value("cues", json::array()))
        cues.push_back(Cue{c.value("n", 0u), c.value("scene", ""), c.value("fade", 0.0)});
      dome.load_show(std::move(cues));
    } else if (msg.value("op", "") == "go") {
      dome.go(msg.value("cue", 0u));
    }
  }
}

net::awaitable<void> desk_listener(tcp::acceptor acc, DomeRenderer &dome) {
  for (;;) {
    auto s = co_await acc.async_accept(net::use_awaitable);
    net::co_spawn(acc.get_executor(), desk_session(websocket::stream<beast::tcp_stream>(std::move(s)), dome),
                  net::detached);
  }
}

// Lobby displays: fixed set of workers fed from a queue.
class LobbyDisplayPool {
public:
  explicit LobbyDisplayPool(unsigned n) {
    for (unsigned i = 0; i < n; ++i)
      workers_.emplace_back([this](std::stop_token st) { work(st); });
  }
  void submit(tcp::socket s) {
    {
      std::lock_guard lk(mu_);
      queue_.push_back(std::move(s));
    }
    cv_.notify_one();
  }

private:
  void work(std::stop_token st) {
    while (!st.stop_requested()) {
      std::unique_lock lk(mu_);
      if (!cv_.wait_for(lk, std::chrono::milliseconds(200), [&] { return !queue_.empty(); }))
        continue;
      tcp::socket s = std::move(queue_.front());
      queue_.pop_front();
      lk.unlock();
      boost::system::error_code ec;
      net::write(s, net::buffer(std::string("NEXT SHOW 19:30\n")), ec);
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<tcp::socket> queue_;
  std::vector<std::jthread> workers_;
};

void lobby_listener(tcp::acceptor &acc, LobbyDisplayPool &pool) {
  for (;;) {
    tcp::socket s = acc.accept();
    pool.submit(std::move(s));
  }
}

int main() {
  net::io_context ioc;
  DomeRenderer dome;
  AudioRackServer racks(ioc);
  racks.start();
  start_tablet_listener(ioc);
  net::co_spawn(ioc, desk_listener(tcp::acceptor(ioc, {tcp::v4(), 9000}), dome), net::detached);

  LobbyDisplayPool lobby_pool(2);
  tcp::acceptor lobby_acc(ioc, {tcp::v4(), 9400});
  std::thread lobby_thread([&] { lobby_listener(lobby_acc, lobby_pool); });

  net::io_context lights_ioc;
  tcp::acceptor lights_acc(lights_ioc, {tcp::v4(), 9500});
  std::thread lights_thread([&] { accept_forever<HouseLightsSession>(lights_acc); });

  ProjectorHub hub(ioc, dome);
  std::thread hub_thread([&] { hub.serve(); });

  std::vector<std::thread> io;
  for (int i = 0; i < 4; ++i)
    io.emplace_back([&ioc] { ioc.run(); });
  for (auto &t : io)
    t.join();
  hub_thread.join();
  lights_thread.join();
  lobby_thread.join();
}
