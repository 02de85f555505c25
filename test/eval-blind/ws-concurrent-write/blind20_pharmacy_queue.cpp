// checks: errorshield-ws-concurrent-write
// Queue display feed for the pharmacy counter: "now serving" tickets, ready
// prescriptions, and the occasional announcement for the waiting-area screens.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using WsStream = websocket::stream<beast::tcp_stream>;

struct Ticket {
  std::string code; // e.g. "A042"
  int counter = 0;
};

static std::string serving_frame(const Ticket& t) {
  return json{{"type", "serving"}, {"ticket", t.code}, {"counter", t.counter}}.dump();
}

static void log_write(const char* what, beast::error_code ec) {
  if (ec)
    std::cerr << what << ": " << ec.message() << "\n";
}

// Calls the next ticket; large screens also play a chime clip afterwards.
void announce_call(WsStream& ws, const std::string& ticket_frame, const std::string& chime_frame,
                   bool with_chime) {
  ws.async_write(asio::buffer(ticket_frame), [](beast::error_code ec, std::size_t) { log_write("ticket", ec); });
  if (with_chime)
    ws.async_write(asio::buffer(chime_frame), [](beast::error_code ec, std::size_t) { log_write("chime", ec); }); // expect: errorshield-ws-concurrent-write
}

// Counter-side tablet and the waiting-room screen get the same call.
void announce_both(WsStream& counter_tablet, WsStream& waiting_room, const std::string& frame) {
  counter_tablet.async_write(asio::buffer(frame), [](beast::error_code ec, std::size_t) { log_write("tablet", ec); });
  waiting_room.async_write(asio::buffer(frame), [](beast::error_code ec, std::size_t) { log_write("room", ec); });
}

// Long notice text (opening hours, flu shot campaign) is streamed in two fragments.
void send_notice(WsStream& ws, const std::string& head, const std::string& body) {
  ws.async_write_some(false, asio::buffer(head), [](beast::error_code ec, std::size_t) { log_write("notice", ec); });
  ws.async_write_some(true, asio::buffer(body), [](beast::error_code ec, std::size_t) { log_write("notice", ec); }); // expect: errorshield-ws-concurrent-write
}

// Same thing, but the second fragment waits for the first to finish.
void send_notice_chained(WsStream& ws, const std::string& head, const std::string& body) {
  ws.async_write_some(false, asio::buffer(head), [&ws, &body](beast::error_code ec, std::size_t) {
    if (ec)
      return log_write("notice", ec);
    ws.async_write_some(true, asio::buffer(body), [](beast::error_code ec2, std::size_t) { log_write("notice", ec2); });
  });
}

// One screen in the waiting area.
class QueueScreen : public std::enable_shared_from_this<QueueScreen> {
public:
  explicit QueueScreen(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->on_open();
    });
  }

  // Status updates arrive from the dispensary system.
  void push(std::string frame) {
    if (writing_) {
      backlog_.push_back(std::move(frame));
      return;
    }
    writing_ = true;
    current_ = std::move(frame);
    ws_.async_write(asio::buffer(current_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec || self->backlog_.empty())
        return;
      std::string next = std::move(self->backlog_.front());
      self->backlog_.pop_front();
      self->push(std::move(next));
    });
  }

  // Prescriptions ready for pickup, shown as individual cards.
  void show_ready(const std::vector<std::string>& names) {
    ready_.clear();
    for (const auto& n : names)
      ready_.push_back(json{{"type", "ready"}, {"name", n}}.dump());
    std::for_each(ready_.begin(), ready_.end(), [this](const std::string& card) {
      ws_.async_write(asio::buffer(card), [self = shared_from_this()](beast::error_code ec, std::size_t) { log_write("ready", ec); }); // expect: errorshield-ws-concurrent-write
    });
  }

private:
  void on_open() {
    ws_.text(true);
    greeting_ = json{{"type", "hello"}, {"store", "Elm St #214"}}.dump();
    push(greeting_);
  }

  WsStream ws_;
  bool writing_ = false;
  std::string current_, greeting_;
  std::deque<std::string> backlog_;
  std::vector<std::string> ready_;
};

// Kiosk screens at the drive-through run a stackful session each.
void kiosk_session(tcp::socket sock, std::vector<Ticket> upcoming, asio::yield_context yield) {
  beast::error_code ec;
  WsStream ws(std::move(sock));
  ws.async_accept(yield[ec]);
  if (ec)
    return;

  // first the full list of upcoming tickets, one frame each
  for (const auto& t : upcoming) {
    std::string f = serving_frame(t);
    ws.async_write(asio::buffer(f), yield[ec]);
    if (ec)
      return;
  }

  // then the wait-time estimate plus the closing-time banner
  std::string eta = json{{"type", "eta"}, {"minutes", 4 * static_cast<int>(upcoming.size())}}.dump();
  std::string banner = json{{"type", "banner"}, {"text", "Drive-through closes at 21:00"}}.dump();
  ws.async_write(asio::buffer(eta), asio::detached);
  ws.async_write(asio::buffer(banner), yield[ec]); // expect: errorshield-ws-concurrent-write
  if (ec)
    return;

  beast::flat_buffer in;
  for (;;) {
    ws.async_read(in, yield[ec]);
    if (ec)
      return;
    in.consume(in.size());
  }
}

// Pharmacist app: on "recall" it re-sends the last ticket and a highlight frame.
class CounterLink {
public:
  explicit CounterLink(tcp::socket s) : ws_(std::move(s)) {}

  void on_recall(const Ticket& t) {
    last_ = serving_frame(t);
    highlight_ = json{{"type", "highlight"}, {"counter", t.counter}}.dump();
    ws_.async_write(asio::buffer(last_), [](beast::error_code ec, std::size_t) { log_write("recall", ec); });
    // let the recall frame go first, then blink the counter number
    asio::post(ws_.get_executor(), [this] {
      ws_.async_write(asio::buffer(highlight_), [](beast::error_code ec, std::size_t) { log_write("hl", ec); }); // expect: errorshield-ws-concurrent-write
    });
  }

private:
  WsStream ws_;
  std::string last_, highlight_;
};

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 7070});
  std::vector<Ticket> upcoming{{"A041", 2}, {"A042", 3}, {"B007", 1}};

  asio::spawn(ioc, [&](asio::yield_context yield) {
    for (;;) {
      beast::error_code ec;
      tcp::socket s = acc.async_accept(yield[ec]);
      if (ec)
        continue;
      asio::spawn(acc.get_executor(),
                  [s = std::move(s), upcoming](asio::yield_context y) mutable {
                    kiosk_session(std::move(s), upcoming, y);
                  },
                  asio::detached);
    }
  }, asio::detached);

  ioc.run();
}
