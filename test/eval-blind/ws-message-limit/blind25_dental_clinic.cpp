// checks: errorshield-ws-message-limit
// Dental clinic real-time hub: chair status boards, reception feed, x-ray uploads,
// patient chat and a billing bridge, all over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <iostream>
#include <limits>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace clinic {

constexpr std::size_t kChairFrameLimit = 32 * 1024;
constexpr std::size_t kChatFrameLimit = 1 << 20;

struct ChairState {
  int chair = 0;
  std::string hygienist;
  std::string status;
};

inline ChairState parse_chair(const std::string &text) {
  auto j = json::parse(text, nullptr, false);
  ChairState s;
  if (j.is_discarded())
    return s;
  s.chair = j.value("chair", 0);
  s.hygienist = j.value("hygienist", "");
  s.status = j.value("status", "idle");
  return s;
}

// Shared settings for the front-desk sockets.
template <class WebSocket> void apply_front_desk_limits(WebSocket &ws) {
  ws.read_message_max(256 * 1024);
  ws.auto_fragment(false);
}

// Tuning used by the imaging workstation bridge.
template <class WebSocket> void tune_imaging_socket(WebSocket &ws) {
  ws.auto_fragment(false);
  ws.read_message_max(std::size_t{4} << 30); // expect: errorshield-ws-message-limit
}

// Chair status boards in the operatories.
class ChairStatusSession : public std::enable_shared_from_this<ChairStatusSession> {
public:
  explicit ChairStatusSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    ws_.async_accept(beast::bind_front_handler(&ChairStatusSession::on_accept,
                                               shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    ws_.read_message_max(kChairFrameLimit);
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&ChairStatusSession::on_read,
                                                      shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto st = parse_chair(beast::buffers_to_string(buffer_.data()));
    buffer_.consume(buffer_.size());
    std::cout << "chair " << st.chair << " -> " << st.status << '\n';
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// Reception desk: check-ins and walk-ins.
class ReceptionFeedSession : public std::enable_shared_from_this<ReceptionFeedSession> {
public:
  explicit ReceptionFeedSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&ReceptionFeedSession::on_accept,
                                               shared_from_this()));
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&ReceptionFeedSession::on_read, // expect: errorshield-ws-message-limit
                                                      shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return;
    auto j = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
    buffer_.consume(buffer_.size());
    if (!j.is_discarded())
      checkins_[j.value("patient", "")] = j.value("time", "");
    do_read();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::unordered_map<std::string, std::string> checkins_;
};

// Front-desk insurance lookups; limits come from the shared helper.
class FrontDeskSession : public std::enable_shared_from_this<FrontDeskSession> {
public:
  explicit FrontDeskSession(tcp::socket sock) : ws_(std::move(sock)) {}

  void run() {
    apply_front_desk_limits(ws_);
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

private:
  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->buffer_.consume(self->buffer_.size());
      self->do_read();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// Imaging workstation pushes panoramic x-rays as binary frames.
asio::awaitable<void> xray_upload_session(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(0); // expect: errorshield-ws-message-limit
  co_await ws.async_accept(asio::use_awaitable);
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, asio::use_awaitable);
    std::cout << "x-ray received: " << buf.size() << " bytes\n";
  }
}

// Second imaging room, with the tuning helper.
asio::awaitable<void> imaging_room_b(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  tune_imaging_socket(ws);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    buf.consume(buf.size());
  }
}

// Patient chat from the waiting-room tablets.
asio::awaitable<void> patient_chat_session(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(kChatFrameLimit);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    ws.text(ws.got_text());
    co_await ws.async_write(buf.data(), asio::use_awaitable);
    buf.consume(buf.size());
  }
}

// Legacy billing system connects over a dedicated worker thread.
void billing_bridge(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(std::numeric_limits<std::size_t>::max()); // expect: errorshield-ws-message-limit
  ws.accept();
  beast::error_code ec;
  for (;;) {
    beast::flat_buffer buf;
    ws.read(buf, ec);
    if (ec)
      break;
    std::cout << "billing: " << beast::buffers_to_string(buf.data()) << '\n';
  }
}

// Lab notifications: crown / aligner orders coming back from the dental lab.
void start_lab_listener(asio::io_context &ioc, tcp::acceptor &acceptor) {
  acceptor.async_accept([&ioc, &acceptor](beast::error_code ec, tcp::socket sock) {
    if (!ec) {
      auto ws = std::make_shared<websocket::stream<tcp::socket>>(std::move(sock));
      ws->async_accept([ws](beast::error_code ec) {
        if (ec)
          return;
        auto buf = std::make_shared<beast::flat_buffer>();
        ws->async_read(*buf, [ws, buf](beast::error_code ec, std::size_t n) { // expect: errorshield-ws-message-limit
          if (!ec)
            std::cout << "lab order update, " << n << " bytes\n";
        });
      });
    }
    start_lab_listener(ioc, acceptor);
  });
}

// Sterilisation cabinet sensors: tiny frames only.
void sterilizer_feed(tcp::socket sock) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(4096);
  ws.accept();
  beast::flat_buffer buf;
  beast::error_code ec;
  while (!ec) {
    ws.read(buf, ec);
    buf.consume(buf.size());
  }
}

} // namespace clinic

int main() {
  asio::io_context ioc;
  tcp::acceptor chairs(ioc, {tcp::v4(), 9101});
  tcp::acceptor lab(ioc, {tcp::v4(), 9102});
  tcp::acceptor imaging(ioc, {tcp::v4(), 9103});

  clinic::start_lab_listener(ioc, lab);

  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        for (int room = 0;; ++room) {
          auto sock = co_await imaging.async_accept(asio::use_awaitable);
          if (room % 2 == 0)
            asio::co_spawn(ioc, clinic::xray_upload_session(std::move(sock)), asio::detached);
          else
            asio::co_spawn(ioc, clinic::imaging_room_b(std::move(sock)), asio::detached);
        }
      },
      asio::detached);

  std::function<void()> accept_chair = [&] {
    chairs.async_accept([&](beast::error_code ec, tcp::socket sock) {
      if (!ec)
        std::make_shared<clinic::ChairStatusSession>(std::move(sock))->run();
      accept_chair();
    });
  };
  accept_chair();

  ioc.run();
}
