// checks: errorshield-unchecked-read
// Turn-based board game server (chess / go / checkers tables).  Each seated player
// and each spectator holds a WebSocket.  The seat loop is a C++20 coroutine templated
// on the next layer so the same code runs behind the TLS terminator and on the
// plain-TCP LAN tournament build.  Spectators use a stackful coroutine.
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using json = nlohmann::json;

struct table_state {
  std::string table_id;
  int turn = 0;
  int seats_filled = 0;
};

bool apply_move(table_state &t, const json &move);
void broadcast_board(table_state &t);
void note_disconnect(table_state &t, int seat);

template <class NextLayer> class seat_session {
public:
  seat_session(NextLayer next, table_state &table, int seat)
      : ws_(std::move(next)), table_(table), seat_(seat) {}

  // Main loop.  The throwing form of async_read is used: any error ends the
  // coroutine via the exception and the catch handler releases the seat.
  awaitable<void> run() {
    try {
      co_await ws_.async_accept(use_awaitable);
      for (;;) {
        buf_.clear();
        std::size_t n = co_await ws_.async_read(buf_, use_awaitable);
        bytes_in_ += n;
        handle_frame();
      }
    } catch (const boost::system::system_error &e) {
      if (e.code() != websocket::error::closed)
        std::cerr << "seat " << seat_ << ": " << e.what() << "\n";
    }
    note_disconnect(table_, seat_);
  }

  // Rematch loop, added for the "best of three" mode.  The tuple form was picked
  // to avoid exceptions, but only the byte count is consumed; after the opponent
  // rage-quits the read completes at once with an error and the loop never ends.
  awaitable<void> rematch_loop() {
    for (int round = 0; round < 3;) {
      buf_.clear();
      auto [ec, n] = co_await ws_.async_read(buf_, asio::as_tuple(use_awaitable)); // expect: errorshield-unchecked-read
      bytes_in_ += n;
      if (handle_frame())
        ++round;
    }
  }

  // Same tuple form, handled properly.
  awaitable<void> draw_offer_loop() {
    for (;;) {
      buf_.clear();
      auto [ec, n] = co_await ws_.async_read(buf_, asio::as_tuple(use_awaitable));
      if (ec == websocket::error::closed)
        co_return;
      if (ec) {
        std::cerr << "draw offer read: " << ec.message() << "\n";
        co_return;
      }
      bytes_in_ += n;
      if (handle_frame())
        co_return;
    }
  }

  // Clock sync.  redirect_error stores the error, and the code does look at it,
  // but only for a clean close.  A TCP reset or eof skips the branch and the
  // loop immediately reads again from a dead stream.
  awaitable<void> clock_sync_loop() {
    boost::system::error_code ec;
    while (!finished_) {
      buf_.clear();
      co_await ws_.async_read(buf_, asio::redirect_error(use_awaitable, ec)); // expect: errorshield-unchecked-read
      if (ec == websocket::error::closed)
        break;
      handle_frame();
    }
  }

  // Looks like the loop above, but any error ends it.
  awaitable<void> chat_loop() {
    boost::system::error_code ec;
    while (!finished_) {
      buf_.clear();
      co_await ws_.async_read(buf_, asio::redirect_error(use_awaitable, ec));
      if (ec)
        break;
      handle_frame();
    }
  }

private:
  bool handle_frame() {
    auto text = beast::buffers_to_string(buf_.data());
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.contains("type"))
      return false;
    if (j["type"] == "resign") {
      finished_ = true;
      return true;
    }
    if (j["type"] == "move" && apply_move(table_, j)) {
      broadcast_board(table_);
      return true;
    }
    return false;
  }

  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buf_;
  table_state &table_;
  int seat_;
  std::size_t bytes_in_ = 0;
  bool finished_ = false;
};

using plain_seat = seat_session<beast::tcp_stream>;
using tls_seat = seat_session<beast::ssl_stream<beast::tcp_stream>>;
template class seat_session<beast::tcp_stream>;
template class seat_session<beast::ssl_stream<beast::tcp_stream>>;

// ---------------------------------------------------------------------------
// Reconnect handshake: a player whose phone switched networks sends a plain HTTP
// request with a resume token before upgrading.

awaitable<void> resume_player(tcp::socket sock, table_state &table) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer fb;
  http::request<http::string_body> req;
  // The result tuple is discarded; a half-open socket leaves `req` empty and
  // the upgrade check below reads default-constructed fields.
  co_await http::async_read(stream, fb, req, asio::as_tuple(use_awaitable)); // expect: errorshield-unchecked-read
  if (!websocket::is_upgrade(req))
    co_return;
  auto seat = std::stoi(std::string(req["X-Seat"]));
  seat_session<beast::tcp_stream> s(std::move(stream), table, seat);
  co_await s.run();
}

awaitable<void> resume_player_checked(tcp::socket sock, table_state &table) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer fb;
  http::request<http::string_body> req;
  auto [ec, n] = co_await http::async_read(stream, fb, req, asio::as_tuple(use_awaitable));
  if (ec || n == 0 || !websocket::is_upgrade(req))
    co_return;
  auto seat = std::stoi(std::string(req["X-Seat"]));
  seat_session<beast::tcp_stream> s(std::move(stream), table, seat);
  co_await s.run();
}

// ---------------------------------------------------------------------------
// Spectators: stackful coroutine per viewer.  They only ever send "follow" and
// emoji reactions.

void spectator_legacy(websocket::stream<beast::tcp_stream> &ws, table_state &table,
                      asio::yield_context yield) {
  beast::flat_buffer buf;
  boost::system::error_code ec;
  for (;;) {
    ws.async_read(buf, yield[ec]); // expect: errorshield-unchecked-read
    if (buf.size() > 0)
      broadcast_board(table);
    buf.consume(buf.size());
  }
}

void spectator(websocket::stream<beast::tcp_stream> &ws, table_state &table,
               asio::yield_context yield) {
  beast::flat_buffer buf;
  boost::system::error_code ec;
  for (;;) {
    std::size_t n = ws.async_read(buf, yield[ec]);
    if (ec == websocket::error::closed || ec)
      return;
    if (n > 0)
      broadcast_board(table);
    buf.consume(buf.size());
  }
}

// Spectator with the throwing yield (no [ec]): errors propagate out of the
// coroutine function and are caught by the completion handler below.
void spectator_strict(websocket::stream<beast::tcp_stream> &ws, table_state &table,
                      asio::yield_context yield) {
  beast::flat_buffer buf;
  for (;;) {
    ws.async_read(buf, yield);
    broadcast_board(table);
    buf.consume(buf.size());
  }
}

void launch_spectator(asio::io_context &ioc, tcp::socket sock, table_state &table) {
  auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(sock));
  asio::spawn(
      ioc,
      [ws, &table](asio::yield_context yield) {
        ws->async_accept(yield);
        spectator_strict(*ws, table, yield);
      },
      [](std::exception_ptr ep) {
        try {
          if (ep)
            std::rethrow_exception(ep);
        } catch (const std::exception &e) {
          std::cerr << "spectator left: " << e.what() << "\n";
        }
      });
}

void launch_seat(asio::io_context &ioc, tcp::socket sock, table_state &table, int seat) {
  auto s = std::make_shared<plain_seat>(beast::tcp_stream(std::move(sock)), table, seat);
  asio::co_spawn(
      ioc, [s]() -> awaitable<void> { co_await s->run(); }, asio::detached);
}
