// checks: errorshield-ws-concurrent-write
// Planetarium show control: the show server pushes cues to the dome
// projector bridge and mirrors show state to the operator consoles.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct Cue {
  double at_seconds;
  std::string target; // "dome", "audio", "lights"
  std::string action;
};

using ShowScript = std::vector<Cue>;

// Link to the dome projector bridge. Normal traffic is serialised through
// the writing_ flag; pending frames wait in backlog_.
template <class NextLayer>
class DomeLink {
public:
  explicit DomeLink(websocket::stream<NextLayer> &ws) : ws_(ws) {}

  void send(std::string frame) {
    backlog_.push_back(std::move(frame));
    if (writing_)
      return;
    writing_ = true;
    pump();
  }

  // Blackout must reach the projector right away, even mid-show.
  void send_blackout() {
    blackout_ = json{{"cmd", "blackout"}}.dump();
    ws_.async_write(net::buffer(blackout_), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  }

private:
  void pump() {
    ws_.async_write(net::buffer(backlog_.front()), [this](beast::error_code ec, std::size_t) {
      backlog_.pop_front();
      if (ec || backlog_.empty()) {
        writing_ = false;
        return;
      }
      pump();
    });
  }

  websocket::stream<NextLayer> &ws_;
  std::deque<std::string> backlog_;
  std::string blackout_;
  bool writing_ = false;
};

// Operator console session; show events may be raised from the show clock
// thread, so everything is funnelled through the session's strand (the
// socket is accepted onto its own strand).
class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
public:
  explicit ConsoleSession(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_loop();
    });
  }

  // Called from the show clock thread.
  void show_state(std::string state) {
    net::post(ws_.get_executor(), [self = shared_from_this(), state = std::move(state)]() mutable {
      self->queue_.push_back(std::move(state));
      if (self->queue_.size() == 1)
        self->write_next();
    });
  }

  // Called from the show clock thread for every cue that fires.
  void cue_fired(std::shared_ptr<const std::string> text) {
    net::post(ws_.get_executor(), [self = shared_from_this(), text] {
      self->ws_.async_write(net::buffer(*text), [text](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
    });
  }

private:
  void write_next() {
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->queue_.pop_front();
      if (!self->queue_.empty())
        self->write_next();
    });
  }

  void read_loop() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->in_.consume(self->in_.size());
      self->read_loop();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::deque<std::string> queue_;
};

// Lighting desk bridge, stackful: one frame per fixture group.
void run_lighting_bridge(tcp::socket sock, const ShowScript &script, net::yield_context yield) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  beast::error_code ec;
  ws.async_accept(yield[ec]);
  if (ec)
    return;

  std::string hello = json{{"bridge", "lights"}, {"cues", script.size()}}.dump();
  ws.async_write(net::buffer(hello), yield[ec]);
  for (const auto &cue : script) {
    if (cue.target != "lights")
      continue;
    std::string frame = json{{"t", cue.at_seconds}, {"do", cue.action}}.dump();
    ws.async_write(net::buffer(frame), yield[ec]);
    if (ec)
      return;
  }

  // house lights up and end-of-show marker
  std::string house = json{{"group", "house"}, {"level", 100}}.dump();
  ws.async_write(net::buffer(house), [](beast::error_code, std::size_t) {});
  std::string done = json{{"show", "ended"}}.dump();
  ws.async_write(net::buffer(done), yield[ec]); // expect: errorshield-ws-concurrent-write
  ws.async_close(websocket::close_code::normal, yield[ec]);
}

// Audio bridge: cues that share a timestamp are pushed together.
net::awaitable<void> run_audio_bridge(tcp::socket sock, ShowScript script) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  auto ex = co_await net::this_coro::executor;
  net::steady_timer clock(ex);

  std::vector<std::string> frames;
  auto push = [&ws, &frames](const Cue &c) {
    frames.push_back(json{{"t", c.at_seconds}, {"play", c.action}}.dump());
    ws.async_write(net::buffer(frames.back()), [](beast::error_code, std::size_t) {}); // expect: errorshield-ws-concurrent-write
  };

  double now = 0;
  frames.reserve(script.size());
  for (const auto &cue : script) {
    if (cue.target != "audio")
      continue;
    if (cue.at_seconds > now) {
      clock.expires_after(std::chrono::milliseconds(static_cast<long>((cue.at_seconds - now) * 1000)));
      co_await clock.async_wait(net::use_awaitable);
      now = cue.at_seconds;
    }
    push(cue);
  }
  co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
}

// Foyer screens: "doors open" banner, then the next show time.
net::awaitable<void> run_foyer_display(tcp::socket sock, std::string next_show) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  co_await ws.async_accept(net::use_awaitable);
  auto ex = co_await net::this_coro::executor;

  std::string banner = json{{"banner", "Doors open"}}.dump();
  net::co_spawn(ex, ws.async_write(net::buffer(banner), net::use_awaitable), net::detached);
  std::string schedule = json{{"next", next_show}}.dump();
  co_await ws.async_write(net::buffer(schedule), net::use_awaitable); // expect: errorshield-ws-concurrent-write

  beast::flat_buffer sink;
  for (;;) {
    co_await ws.async_read(sink, net::use_awaitable);
    sink.consume(sink.size());
  }
}

// Star field frames go to the dome one at a time; each completion sends the
// next, and the link is closed after the last one.
struct StarfieldStreamer : std::enable_shared_from_this<StarfieldStreamer> {
  websocket::stream<beast::tcp_stream> &dome;
  websocket::stream<beast::tcp_stream> &preview;
  std::vector<std::vector<unsigned char>> frames;
  std::size_t next = 0;
  bool failed = false;

  StarfieldStreamer(websocket::stream<beast::tcp_stream> &d, websocket::stream<beast::tcp_stream> &p)
      : dome(d), preview(p) {}

  void start() {
    dome.binary(true);
    preview.binary(true);
    send_next();
  }

  void send_next() {
    if (next == frames.size()) {
      dome.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {});
      return;
    }
    // the preview monitor is a separate connection and gets a copy; the next
    // frame goes out once both links have taken this one
    auto remaining = std::make_shared<int>(2);
    auto done = [self = shared_from_this(), remaining](beast::error_code ec, std::size_t) {
      if (ec)
        self->failed = true;
      if (--*remaining == 0 && !self->failed) {
        ++self->next;
        self->send_next();
      }
    };
    preview.async_write(net::buffer(frames[next]), done);
    dome.async_write(net::buffer(frames[next]), done);
  }
};

int main() {
  net::io_context ioc;
  ShowScript script = {{0.0, "lights", "dim"}, {0.0, "audio", "intro"}, {0.0, "audio", "rumble"},
                       {12.5, "dome", "milky_way"}, {40.0, "audio", "narration_1"}};

  tcp::acceptor consoles(ioc, {tcp::v4(), 7400});
  consoles.async_accept(net::make_strand(ioc), [&](beast::error_code ec, tcp::socket s) {
    if (ec)
      return;
    auto session = std::make_shared<ConsoleSession>(std::move(s));
    session->start();
    session->show_state("preshow");
    session->cue_fired(std::make_shared<const std::string>("lights:dim"));
  });

  tcp::acceptor lights(ioc, {tcp::v4(), 7401});
  net::spawn(ioc, [&](net::yield_context yield) {
    tcp::socket s = lights.async_accept(yield);
    run_lighting_bridge(std::move(s), script, yield);
  }, net::detached);

  tcp::acceptor audio(ioc, {tcp::v4(), 7402});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    tcp::socket s = co_await audio.async_accept(net::use_awaitable);
    co_await run_audio_bridge(std::move(s), script);
  }, net::detached);

  tcp::acceptor foyer(ioc, {tcp::v4(), 7404});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      tcp::socket s = co_await foyer.async_accept(net::use_awaitable);
      net::co_spawn(ioc, run_foyer_display(std::move(s), "19:30 Cosmic Dawn"), net::detached);
    }
  }, net::detached);

  tcp::acceptor dome_acc(ioc, {tcp::v4(), 7403});
  websocket::stream<beast::tcp_stream> dome_ws(ioc);
  DomeLink<beast::tcp_stream> dome(dome_ws);
  dome_acc.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (ec)
      return;
    beast::get_lowest_layer(dome_ws).socket() = std::move(s);
    dome_ws.async_accept([&](beast::error_code ec) {
      if (ec)
        return;
      for (const auto &cue : script)
        if (cue.target == "dome")
          dome.send(json{{"scene", cue.action}}.dump());
      dome.send_blackout();
    });
  });

  ioc.run();
}
