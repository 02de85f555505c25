// checks: errorshield-ws-concurrent-write
// Regatta timing service: start/finish towers feed split times, spectators
// and umpire launches subscribe over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace regatta {

struct Split {
  int lane = 0;
  int metres = 0;
  double seconds = 0;
};

inline std::string encode(const Split &s) {
  return json{{"lane", s.lane}, {"m", s.metres}, {"t", s.seconds}}.dump();
}

using ws_t = websocket::stream<beast::tcp_stream>;

// ---------------------------------------------------------------------------
// Spectator feed: queued writes, one in flight at a time.
class SpectatorSession : public std::enable_shared_from_this<SpectatorSession> {
public:
  explicit SpectatorSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

  void send(std::string msg) {
    queue_.push_back(std::move(msg));
    if (queue_.size() > 1)
      return;
    do_write();
  }

private:
  void do_write() {
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->queue_.pop_front();
      if (!self->queue_.empty())
        self->do_write();
    });
  }

  // Reads run alongside writes; Beast allows one of each.
  void read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->in_.clear();
      self->send(R"({"ack":true})");
      self->read();
    });
  }

  ws_t ws_;
  beast::flat_buffer in_;
  std::deque<std::string> queue_;
};

// ---------------------------------------------------------------------------
// Umpire launch link. Written in a hurry the night before the first heat.
class UmpireLink : public std::enable_shared_from_this<UmpireLink> {
public:
  explicit UmpireLink(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read();
    });
  }

  void push_splits(const std::vector<Split> &batch) {
    for (const auto &s : batch) {
      auto msg = std::make_shared<std::string>(encode(s));
      ws_.async_write(net::buffer(*msg), [msg](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    }
  }

private:
  void read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto req = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
      self->in_.clear();
      if (!req.is_discarded() && req.value("type", "") == "subscribe") {
        self->ack_ = R"({"subscribed":true})";
        self->ws_.async_write(net::buffer(self->ack_), [](beast::error_code, std::size_t) {});
        self->snapshot_ = json{{"heat", self->heat_}, {"lanes", 6}}.dump();
        self->ws_.async_write(net::buffer(self->snapshot_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
      }
      self->read();
    });
  }

  ws_t ws_;
  beast::flat_buffer in_;
  std::string ack_, snapshot_;
  int heat_ = 1;
};

// ---------------------------------------------------------------------------
// Finish-tower console (coroutines).
net::awaitable<void> finish_tower(tcp::socket sock) {
  ws_t ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, net::use_awaitable);
    std::string photo_req = R"({"photo":"requested"})";
    co_await ws.async_write(net::buffer(photo_req), net::use_awaitable);
    std::string result = R"({"result":"provisional"})";
    co_await ws.async_write(net::buffer(result), net::use_awaitable);
  }
}

net::awaitable<void> start_tower(tcp::socket sock) {
  ws_t ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  co_await ws.async_accept(net::use_awaitable);
  const std::string attention = R"({"cmd":"attention"})";
  const std::string go = R"({"cmd":"go"})";
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, net::use_awaitable);
    // Attention is fire-and-forget; the go signal must be confirmed.
    ws.async_write(net::buffer(attention), net::detached);
    co_await ws.async_write(net::buffer(go), net::use_awaitable); // expect: errorshield-ws-concurrent-write
  }
}

// Results board and commentary box get the same result, each on its own socket.
void publish_result(ws_t &board, ws_t &commentary, std::shared_ptr<std::string> result) {
  board.async_write(net::buffer(*result), [result](beast::error_code, std::size_t) {});
  commentary.async_write(net::buffer(*result), [result](beast::error_code, std::size_t) {});
}

// ---------------------------------------------------------------------------
// Photo-finish frames: header message then the image, chained.
template <class NextLayer>
void send_photo(websocket::stream<NextLayer> &ws, std::shared_ptr<std::string> header,
                std::shared_ptr<std::vector<unsigned char>> jpeg) {
  ws.text(true);
  ws.async_write(net::buffer(*header), [&ws, header, jpeg](beast::error_code ec, std::size_t) {
    if (ec)
      return;
    ws.binary(true);
    ws.async_write(net::buffer(*jpeg), [jpeg](beast::error_code, std::size_t) {});
  });
}

// Crew-list announcement used by the marshalling area.
template <class NextLayer>
void announce_crews(websocket::stream<NextLayer> &ws, std::shared_ptr<std::vector<std::string>> crews) {
  auto header = std::make_shared<std::string>(json{{"crews", crews->size()}}.dump());
  ws.async_write(net::buffer(*header), [header](beast::error_code, std::size_t) {});
  auto body = std::make_shared<std::string>(json(*crews).dump());
  ws.async_write(net::buffer(*body), [body, crews](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
}

class Marshal {
public:
  explicit Marshal(net::io_context &ioc) : ws_(ioc), photo_ws_(ioc) {}

  void call_heat(int heat) {
    auto crews = std::make_shared<std::vector<std::string>>(
        std::vector<std::string>{"Leander", "Molesey", "Thames RC"});
    announce_crews(ws_, crews);
    auto header = std::make_shared<std::string>(json{{"heat", heat}}.dump());
    auto jpeg = std::make_shared<std::vector<unsigned char>>(1024, 0xff);
    send_photo(photo_ws_, header, jpeg);
  }

  void result(double seconds) {
    publish_result(ws_, photo_ws_, std::make_shared<std::string>(json{{"winner_s", seconds}}.dump()));
  }

private:
  ws_t ws_;
  ws_t photo_ws_;
};

} // namespace regatta

int main() {
  using namespace regatta;
  net::io_context ioc;
  tcp::acceptor spectators(ioc, {tcp::v4(), 8000});
  tcp::acceptor umpires(ioc, {tcp::v4(), 8001});
  tcp::acceptor start_towers(ioc, {tcp::v4(), 8002});
  tcp::acceptor finish_towers(ioc, {tcp::v4(), 8003});

  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await spectators.async_accept(net::use_awaitable);
      std::make_shared<SpectatorSession>(std::move(s))->start();
    }
  }, net::detached);
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await umpires.async_accept(net::use_awaitable);
      auto link = std::make_shared<UmpireLink>(std::move(s));
      link->start();
      link->push_splits({{1, 500, 88.4}, {2, 500, 89.1}});
    }
  }, net::detached);
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await start_towers.async_accept(net::use_awaitable);
      net::co_spawn(ioc, start_tower(std::move(s)), net::detached);
    }
  }, net::detached);
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await finish_towers.async_accept(net::use_awaitable);
      net::co_spawn(ioc, finish_tower(std::move(s)), net::detached);
    }
  }, net::detached);
  ioc.run();
}
