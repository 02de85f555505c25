// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-frame-type' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "websocket.h"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

// ---- 1. A read buffer parsed as text while the owner never checks the frame type ----

class quote_session {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  void do_read() { ws_.async_read(buffer_, [](beast::error_code, size_t) {}); }
  void on_read() {
    auto msg = json::parse(beast::buffers_to_string(buffer_.data()));
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'parse' parses a message read from 'ws_' as text, but the stream's owner never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
    auto ok = json::accept(beast::make_printable(buffer_.cdata()));
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'accept' parses a message read from 'ws_' as text, but the stream's owner never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
  }
};

class checked_session {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  void do_read() { ws_.async_read(buffer_, [](beast::error_code, size_t) {}); }
  void on_read() {
    if (!ws_.got_text())
      return;
    auto msg = json::parse(beast::buffers_to_string(buffer_.data()));
  }
};

// The text goes through local variables first.
void sync_reader(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  beast::multi_buffer buffer;
  ws.read(buffer);
  std::string text = beast::buffers_to_string(buffer.data());
  auto a = json::parse(text);
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'parse' parses a message read from 'ws' as text, but the stream's owner never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
  auto bytes = buffer.data();
  std::string copy(beast::buffers_begin(bytes), beast::buffers_end(bytes));
  auto b = boost::json::parse(copy);
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: 'parse' parses a message read from 'ws' as text, but the stream's owner never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
}

void sync_checked(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  beast::flat_buffer buffer;
  ws.read(buffer);
  if (ws.got_binary())
    return;
  auto a = json::parse(beast::buffers_to_string(buffer.data()));
}

// A buffer never read from a WebSocket (an HTTP body, a file) is not a message.
void parse_config(beast::flat_buffer &file, beast::flat_buffer local) {
  auto a = json::parse(beast::buffers_to_string(file.data()));
  auto b = json::parse(beast::buffers_to_string(local.data()));
}

// A stream lent to a function that reads it: that function must look at what it read (after
// it returns, the parse has already run).
void pump(websocket::stream<tcp::socket> &ws) {
  beast::flat_buffer buffer;
  ws.read(buffer);
  auto a = json::parse(beast::buffers_to_string(buffer.data()));
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'parse' parses a message read from 'ws' as text, but the function that reads it never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
}
void pump_checked(websocket::stream<tcp::socket> &ws) {
  beast::flat_buffer buffer;
  ws.read(buffer);
  if (!ws.got_text())
    return;
  auto a = json::parse(beast::buffers_to_string(buffer.data()));
}

// ---- 2. Bytes written on a stream in text mode ----

class feed_session {
  websocket::stream<beast::tcp_stream> ws_;
  std::vector<std::uint8_t> snapshot_;

public:
  void send_snapshot() {
    ws_.text(true);
    ws_.async_write(net::buffer(snapshot_), [](beast::error_code, size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write sends 'snapshot_', declared as bytes, on 'ws_', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
  }
  void send_frame(std::span<const std::byte> frame) {
    ws_.binary(false);
    ws_.write(net::buffer(frame.data(), frame.size()));
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: write sends 'frame', declared as bytes, on 'ws_', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
  }
  void send_raw(const unsigned char *p, size_t n) {
    ws_.text(true);
    ws_.write(net::buffer(p, n));
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: write sends 'p', declared as bytes, on 'ws_', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
  }
  void send_json(const std::string &s) {
    ws_.text(true);
    ws_.write(net::buffer(s));
  }
  void send_binary(std::vector<std::uint8_t> v) {
    ws_.binary(true);
    ws_.write(net::buffer(v));
  }
  // The last mode set before the write decides.
  void text_then_binary(const std::string &s, std::vector<std::uint8_t> v) {
    ws_.text(true);
    ws_.write(net::buffer(s));
    ws_.binary(true);
    ws_.write(net::buffer(v));
  }
};

// Text mode set once in another member function, never switched: the class writes text.
class text_only_session {
  websocket::stream<beast::tcp_stream> ws_;

public:
  void start() { ws_.text(true); }
  void push(std::vector<std::uint8_t> bytes) {
    auto buf = net::buffer(bytes);
    ws_.write(buf);
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: write sends 'bytes', declared as bytes, on 'ws_', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
  }
};

// Echo: the mode follows what was read, not known here.
class echo_session {
  websocket::stream<beast::tcp_stream> ws_;
  std::vector<std::uint8_t> last_;

public:
  void echo() {
    ws_.text(ws_.got_text());
    ws_.write(net::buffer(last_));
  }
};

// No mode set at all: Beast's default, text.
void default_mode(tcp::socket s, std::vector<std::uint8_t> v) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.write(net::buffer(v));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends 'v', declared as bytes, on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}

// JSON text on a stream switched to binary: the browser gets a Blob, not a string.
void json_in_binary_mode(tcp::socket s, const nlohmann::json &quote, bool snapshot) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.binary(true);
  ws.write(net::buffer(quote.dump()));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends the text 'dump' produces on 'ws', which is in binary mode: the text goes out as a binary frame, which a browser hands to the page as a Blob or ArrayBuffer instead of a string [ES-WS-004] [errorshield-ws-frame-type]
  const std::string text = quote.dump();
  ws.write(net::buffer(text));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends the text 'dump' produces on 'ws', which is in binary mode: the text goes out as a binary frame, which a browser hands to the page as a Blob or ArrayBuffer instead of a string [ES-WS-004] [errorshield-ws-frame-type]
  ws.text(true);
  ws.write(net::buffer(quote.dump()));
}

// Handed to a function of the project, which may set the mode: not known here.
void configure_stream(websocket::stream<tcp::socket> &ws);
void mode_set_elsewhere(tcp::socket s, std::vector<std::uint8_t> v) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  configure_stream(ws);
  ws.write(net::buffer(v));
}

// A setter in one branch says nothing of the other: each path here sets its own mode.
void mode_per_branch(tcp::socket s, std::vector<std::uint8_t> v, bool compressed) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  if (compressed) {
    ws.binary(true);
  } else {
    ws.text(true);
  }
  ws.write(net::buffer(v));
}

// ---- An owner with member functions defined in another translation unit ----
// on_read() may check got_text() before parse_message() is called: not known here, so quiet. The
// same shape with every body visible is reported (quote_session above).
class split_quote_session {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  void on_read(beast::error_code ec, size_t); // defined in split_quote_session.cpp

public:
  void do_read() { ws_.async_read(buffer_, [](beast::error_code, size_t) {}); }
  void parse_message() { auto msg = json::parse(beast::buffers_to_string(buffer_.data())); }
};

// ---- The owner checks the frame type, but not where this parse runs ----
class editor_session {
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  bool hello_pending_ = true;

public:
  void on_read(beast::error_code ec, size_t) {
    if (ec)
      return;
    if (hello_pending_) {
      hello_pending_ = false;
      auto hello = json::parse(beast::buffers_to_string(buffer_.data()));
// CHECK-MESSAGES: :[[@LINE-1]]:26: warning: 'parse' parses a message read from 'ws_' as text where this function's got_text()/got_binary() check does not cover it: a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
      return;
    }
    if (ws_.got_text()) {
      auto op = json::parse(beast::buffers_to_string(buffer_.data()));
    } else {
      auto blob = json::parse(beast::buffers_to_string(buffer_.data()));
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: 'parse' parses a message read from 'ws_' as text in the branch where the frame is binary: a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
    }
    ws_.async_read(buffer_, [](beast::error_code, size_t) {});
  }
  void on_control(beast::error_code ec, size_t) {
    if (ws_.got_binary())
      return;
    auto command = json::parse(beast::buffers_to_string(buffer_.data())); // after the guard: text
  }
  void on_kept(beast::error_code ec, size_t) {
    const bool text = ws_.got_text(); // an answer kept in a variable: not followed
    auto anything = json::parse(beast::buffers_to_string(buffer_.data()));
    (void)text;
  }
};

// ---- A helper that does not ask is judged by its callers ----

class lobby_session {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer inbox_;
  bool in_match_ = false;
  void do_read() { ws_.async_read(inbox_, [](beast::error_code, size_t) {}); }
  void on_read(beast::error_code ec, size_t) { // bound as the handler: nothing here calls it
    if (ec)
      return;
    if (in_match_)
      on_match_message();
    else
      on_lobby_message();
    do_read();
  }
  void on_lobby_message() {
    if (!ws_.got_text())
      return;
    auto msg = json::parse(beast::buffers_to_string(inbox_.data()));
  }
  void on_match_message() { // neither it nor on_read asks
    auto cmd = json::parse(beast::buffers_to_string(inbox_.data()));
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'parse' parses a message read from 'ws_' as text, but neither this function nor 'on_read', which calls it, checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
  }
  void on_chat(beast::error_code ec, size_t) {
    if (ws_.got_text())
      handle_chat(); // the caller asked first
  }
  void handle_chat() { auto line = json::parse(beast::buffers_to_string(inbox_.data())); }
  void handle_later() { auto x = json::parse(beast::buffers_to_string(inbox_.data())); } // no caller here
};

// A function that reads the message itself and asks nothing: no caller can have asked for it. One
// that hands the stream to a helper (which may ask) is not judged.
class survey_session {
  websocket::stream<beast::tcp_stream> ws_;
  bool is_text(websocket::stream<beast::tcp_stream> &ws) { return ws.got_text(); }

public:
  nlohmann::json read_chunk() {
    beast::flat_buffer b;
    ws_.read(b);
    if (!ws_.got_text())
      return {};
    return nlohmann::json::parse(beast::buffers_to_string(b.data()));
  }
  nlohmann::json read_points() {
    beast::flat_buffer b;
    ws_.read(b);
    return nlohmann::json::parse(beast::buffers_to_string(b.data()));
// CHECK-MESSAGES: :[[@LINE-1]]:28: warning: 'parse' parses a message read from 'ws_' as text, but the function that reads it never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
  }
  nlohmann::json read_checked_points() {
    beast::flat_buffer b;
    ws_.read(b);
    if (!is_text(ws_))
      return {};
    return nlohmann::json::parse(beast::buffers_to_string(b.data()));
  }
};

// Text held by a shared_ptr for an asynchronous write: judged by what the pointer was made from.
void chat_in_binary_mode(tcp::socket s, const nlohmann::json &line) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  auto body = std::make_shared<std::string>(line.dump());
  ws.binary(true);
  ws.write(net::buffer(*body));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends the text 'dump' produces on 'ws', which is in binary mode: the text goes out as a binary frame, which a browser hands to the page as a Blob or ArrayBuffer instead of a string [ES-WS-004] [errorshield-ws-frame-type]
  ws.text(true);
  ws.write(net::buffer(*body));
}
