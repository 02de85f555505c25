// Payloads known by how they were made (serializers, raw objects, a member last assigned a dump),
// streams lent to a function that sets their mode itself, and parses that report bad input.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-frame-type' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefixes=CHECK-MESSAGES,CHECK-DEFAULT --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-frame-type' \
// RUN:   --config="{CheckOptions: {errorshield-ws-frame-type.IgnoreNonThrowingParses: true}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "websocket.h"
#include <string.h>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using json = nlohmann::json;
using ws_t = websocket::stream<beast::tcp_stream>;

struct top_of_book {
  unsigned instrument;
  long long bid, ask;
};

// ---- 1. A lent stream whose mode the function sets itself ----

void push_config(ws_t &ws, const json &cfg) {
  ws.text(true);
  ws.write(net::buffer(json::to_cbor(cfg)));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends the bytes 'to_cbor' produces on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}

void push_risk(ws_t &ws, const json &risk) {
  std::string body = risk.dump();
  ws.binary(true);
  ws.write(net::buffer(body));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends the text 'dump' produces on 'ws', which is in binary mode: the text goes out as a binary frame, which a browser hands to the page as a Blob or ArrayBuffer instead of a string [ES-WS-004] [errorshield-ws-frame-type]
}

void push_tick(ws_t *ws, const top_of_book &tob) {
  ws->text(true);
  ws->write(net::buffer(&tob, sizeof tob));
// CHECK-MESSAGES: :[[@LINE-1]]:7: warning: write sends the raw bytes of 'tob' on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}

void push_levels(ws_t &ws, const std::vector<top_of_book> &levels) {
  ws.text(true);
  ws.write(net::buffer(levels.data(), levels.size() * sizeof(top_of_book)));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends the raw bytes of 'levels' on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}

// Copied into a buffer of characters, the bytes of objects stay raw; copied characters are text.
void push_replay(ws_t &ws, const std::vector<top_of_book> &levels, std::vector<char> &replay) {
  memcpy(replay.data(), levels.data(), levels.size() * sizeof(top_of_book));
  ws.text(true);
  ws.write(net::buffer(replay));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends the raw bytes of 'replay' on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}
void push_banner(ws_t &ws, std::vector<char> &banner) {
  const char text[] = "welcome";
  memcpy(banner.data(), text, sizeof text);
  ws.text(true);
  ws.write(net::buffer(banner));
}

// Through a smart pointer: the type pointed to decides.
void push_shared(ws_t &ws, std::shared_ptr<std::vector<std::uint8_t>> bytes,
                 std::shared_ptr<top_of_book> tob, std::shared_ptr<std::string> text) {
  ws.text(true);
  ws.write(net::buffer(*bytes));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends 'bytes', declared as bytes, on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
  ws.write(net::buffer(tob.get(), sizeof(top_of_book)));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends the raw bytes of 'tob' on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
  ws.write(net::buffer(*text));
}

// A lent stream the helper sets no mode on: with no call of the helper here, nothing sets one
// and Beast's default, text, holds; with a call, the caller may have set binary (below, a
// caller's stream known to be in text mode at every call).
void push_uncalled(ws_t &ws, const json &cfg, const top_of_book &tob) {
  ws.write(net::buffer(json::to_msgpack(cfg)));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends the bytes 'to_msgpack' produces on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
  ws.write(net::buffer(&tob, sizeof tob));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends the raw bytes of 'tob' on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}
void push_unknown(ws_t &ws, const json &cfg, const top_of_book &tob) {
  ws.write(net::buffer(json::to_msgpack(cfg)));
  ws.write(net::buffer(&tob, sizeof tob));
}
class book_feed {
  ws_t ws_;

public:
  explicit book_feed(ws_t &&ws) : ws_(static_cast<ws_t &&>(ws)) { ws_.binary(true); }
  void send(const json &cfg, const top_of_book &tob) { push_unknown(ws_, cfg, tob); }
};

// Every call lends a stream that is in text mode there (never set, or set back to text by the
// last setter of a helper it was lent to before): the helper writes in text mode.
void push_snapshot(ws_t &ws, const top_of_book &tob) {
  ws.write(net::buffer(&tob, sizeof tob));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends the raw bytes of 'tob' on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}
template <class Stream>
void push_snapshot_generic(websocket::stream<Stream> &ws, const top_of_book &tob) {
  ws.write(net::buffer(&tob, sizeof tob));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends the raw bytes of 'tob' on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}
void push_snapshot_binary(ws_t &ws, const top_of_book &tob) {
  ws.binary(true);
  ws.write(net::buffer(&tob, sizeof tob));
  ws.text(true);
}
void kiosk_session(int fd, const top_of_book &tob) {
  ws_t ws(fd);
  for (int i = 0; i < 3; ++i) {
    push_snapshot(ws, tob);
    push_snapshot_generic(ws, tob);
    push_snapshot_binary(ws, tob);
  }
}
// Not when a caller sets binary before the call, a helper lent the stream first leaves it binary,
// or the caller's stream is itself lent to it.
void push_depth(ws_t &ws, const top_of_book &tob) { ws.write(net::buffer(&tob, sizeof tob)); }
void push_trades(ws_t &ws, const top_of_book &tob) { ws.write(net::buffer(&tob, sizeof tob)); }
void push_quotes(ws_t &ws, const top_of_book &tob) { ws.write(net::buffer(&tob, sizeof tob)); }
void go_binary(ws_t &ws) { ws.binary(true); }
void depth_session(int fd, const top_of_book &tob) {
  ws_t ws(fd);
  ws.binary(true);
  push_depth(ws, tob);
}
void trades_session(int fd, const top_of_book &tob) {
  ws_t ws(fd);
  go_binary(ws);
  push_trades(ws, tob);
}
void quotes_relay(ws_t &ws, const top_of_book &tob) { push_quotes(ws, tob); }

// A stream of this function lent to helpers that set no mode (or set it back to text) is still
// in Beast's default, text; lent to one whose body is not here, its mode is unknown.
int weigh_on(ws_t &ws);
void apply_settings(ws_t &ws);
void scale_office(int fd, const top_of_book &tob) {
  ws_t ws(fd);
  int kg = weigh_on(ws);
  push_snapshot_binary(ws, tob);
  ws.write(net::buffer(&tob, sizeof tob));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends the raw bytes of 'tob' on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}
int weigh_on(ws_t &ws) { return 0; }
void remote_office(int fd, const top_of_book &tob) {
  ws_t ws(fd);
  apply_settings(ws);
  ws.write(net::buffer(&tob, sizeof tob));
}

// The right modes, and a setter in a branch the write is not in.
void push_right(ws_t &ws, const json &cfg, const top_of_book &tob, bool compact) {
  ws.binary(true);
  ws.write(net::buffer(json::to_cbor(cfg)));
  ws.write(net::buffer(&tob, sizeof tob));
  ws.text(true);
  ws.write(net::buffer(cfg.dump()));
  char greeting[] = "hello";
  ws.write(net::buffer(greeting, 5)); // characters are text
  if (compact) {
    ws.text(true);
  }
  ws.binary(true);
  ws.write(net::buffer(json::to_msgpack(cfg)));
}

// ---- 2. Members assigned a serializer's result before the write ----

class dashboard_session {
  ws_t ws_;
  std::string alarm_out_;
  std::string text_out_;

public:
  void push_alarm(const json &alarm) {
    alarm_out_ = alarm.dump();
    ws_.binary(true);
    ws_.async_write(net::buffer(alarm_out_), [](beast::error_code, size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write sends the text 'dump' produces on 'ws_', which is in binary mode: the text goes out as a binary frame, which a browser hands to the page as a Blob or ArrayBuffer instead of a string [ES-WS-004] [errorshield-ws-frame-type]
  }
  void push_hello(const json &hello, const std::string &banner) {
    text_out_ = hello.dump();
    text_out_ = banner; // the last assignment before the write decides
    ws_.binary(true);
    ws_.async_write(net::buffer(text_out_), [](beast::error_code, size_t) {});
  }
};

// ---- 3. Parses that report bad input instead of throwing ----

class feed_session {
  ws_t ws_;
  beast::flat_buffer buffer_;
  int version_ = 0;

public:
  void on_read() {
    ws_.read(buffer_);
    auto update = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
// CHECK-DEFAULT: :[[@LINE-1]]:25: warning: 'parse' parses a message read from 'ws_' as text, but the stream's owner never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
    if (!update.is_discarded())
      ++version_;
    boost::system::error_code ec;
    boost::json::value schema = boost::json::parse(beast::buffers_to_string(buffer_.data()), ec);
// CHECK-DEFAULT: :[[@LINE-1]]:46: warning: 'parse' parses a message read from 'ws_' as text, but the stream's owner never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
    auto strict = json::parse(beast::buffers_to_string(buffer_.data()), nullptr, true);
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: 'parse' parses a message read from 'ws_' as text, but the stream's owner never checks got_text() or got_binary(): a binary message reaches the text parser [ES-WS-004] [errorshield-ws-frame-type]
  }
};

// ---- A write whose function sets no mode: the mode other functions leave it in ----

class spectator_feed {
  ws_t ws_;
  std::vector<std::uint8_t> positions_;
  std::string text_out_;
  void push_positions() {
    ws_.binary(true);
    ws_.async_write(net::buffer(positions_), [](beast::error_code, size_t) {});
  }
  void push_scoreboard(const json &board) {
    text_out_ = board.dump();
    ws_.text(true);
    ws_.async_write(net::buffer(text_out_), [](beast::error_code, size_t) {});
  }
  void push_announcement(const json &note) {
    text_out_ = note.dump();
    ws_.async_write(net::buffer(text_out_), [](beast::error_code, size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write sends the text 'dump' produces on 'ws_' without setting its mode, and 'push_positions' leaves it in binary mode: the text goes out as a binary frame [ES-WS-004] [errorshield-ws-frame-type]
  }
};

class restoring_feed {
  ws_t ws_;
  std::vector<std::uint8_t> blob_;
  std::string text_out_;
  void push_blob() { // leaves the stream in text mode again
    ws_.binary(true);
    ws_.write(net::buffer(blob_));
    ws_.text(true);
  }
  void push_note(const json &note) {
    text_out_ = note.dump();
    ws_.write(net::buffer(text_out_));
  }
};

class caller_sets_mode {
  ws_t ws_;
  std::string text_out_;
  std::vector<std::uint8_t> frame_;
  void flush_text(const json &j) {
    text_out_ = j.dump();
    ws_.write(net::buffer(text_out_));
  }
  void send_frame() {
    ws_.binary(true);
    ws_.write(net::buffer(frame_));
  }
  void send_status(const json &j) {
    ws_.text(true);
    flush_text(j); // the caller decides the mode
  }
};

// ---- A flag telling a queue whether a payload is binary ----

class queued_session {
  struct outgoing {
    std::string payload;
    bool binary;
  };
  ws_t ws_;
  outgoing front_;
  void enqueue(std::string payload, bool binary) { front_ = outgoing{payload, binary}; }
  void do_write() {
    ws_.binary(front_.binary);
    ws_.async_write(net::buffer(front_.payload), [](beast::error_code, size_t) {});
  }
  void log_payload(std::string payload, bool binary);
  void trace(std::string payload, bool binary) { (void)payload; } // never looks at the flag
  void send_delta(const json &delta) {
    auto packed = json::to_msgpack(delta);
    enqueue(std::string(packed.begin(), packed.end()), /*binary=*/false);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'enqueue' is told that 'packed', declared as bytes, are text ('binary' is false): the bytes go out as a text frame [ES-WS-004] [errorshield-ws-frame-type]
    enqueue(std::string(packed.begin(), packed.end()), /*binary=*/true);
    enqueue(delta.dump(), /*binary=*/false);
    enqueue(delta.dump(), /*binary=*/true);
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'enqueue' is told that the text 'dump' produces is binary ('binary' is true): the text goes out as a binary frame [ES-WS-004] [errorshield-ws-frame-type]
    log_payload(std::string(packed.begin(), packed.end()), false); // not seen to keep the flag
    trace(std::string(packed.begin(), packed.end()), false);
  }
};

// An element of a queue of byte buffers is bytes, named by the queue; so is a chunk of a byte
// buffer reached by a pointer offset. A queue of strings is not.
struct byte_queue_session {
  ws_t ws_;
  std::vector<std::vector<std::uint8_t>> queue_;
  std::vector<std::string> lines_;
  void write_next() {
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()), [](beast::error_code, size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write sends 'queue_', declared as bytes, on 'ws_', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
    ws_.async_write(net::buffer(queue_[1]), [](beast::error_code, size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_write sends 'queue_', declared as bytes, on 'ws_', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
    ws_.async_write(net::buffer(lines_.front()), [](beast::error_code, size_t) {});
  }
};
void send_chunks(ws_t &ws, const std::vector<std::uint8_t> &smf, size_t off, size_t n) {
  ws.text(true);
  ws.write_some(false, net::buffer(smf.data() + off, n));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write_some sends 'smf', declared as bytes, on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
  ws.binary(true);
  ws.write_some(true, net::buffer(smf.data() + off, n));
}

// ---- Bytes read from a file opened in binary mode, whatever type holds them ----
#include "files.h"
void send_snapshot(ws_t &ws, const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::string jpeg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ws.write(net::buffer(jpeg));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends 'jpeg', read from a file opened in binary mode, on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}
std::string load_score_pdf(const std::string &path) {
  std::ifstream in;
  in.open(path, std::ios::in | std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
void send_score(ws_t &ws, const std::string &path) {
  ws.write(net::buffer(load_score_pdf(path)));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends 'load_score_pdf', read from a file opened in binary mode, on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}
void send_archive(ws_t &ws, const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chunk;
  in.read(chunk.data(), 4096);
  ws.text(true);
  ws.write(net::buffer(chunk.data(), 4096));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends 'chunk', read from a file opened in binary mode, on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}
// A text file (no binary mode), and a binary one sent in binary mode: quiet.
void send_template(ws_t &ws, const std::string &path) {
  std::ifstream in(path);
  std::string page{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ws.write(net::buffer(page));
}
void send_snapshot_binary(ws_t &ws, const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::string jpeg{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ws.binary(true);
  ws.write(net::buffer(jpeg));
}

// A string copied from the storage of bytes (pointer and length) holds those bytes.
void send_waterfall_row(ws_t &ws, const std::vector<std::uint8_t> &row) {
  std::string payload(reinterpret_cast<const char *>(row.data()), 1024);
  ws.text(true);
  ws.write(net::buffer(payload));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends 'row', declared as bytes, on 'ws', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
}
