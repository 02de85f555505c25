// Frame types chosen away from the write: a record queued with a bool field naming its frame type
// that the writer hands to binary()/text(); write_some(fin, buffers); a stream of the function
// written before its first setter; a function template written with a byte parameter, reported
// where it is instantiated.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-frame-type' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "websocket.h"

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using ws_t = websocket::stream<beast::tcp_stream>;
using json = nlohmann::basic_json<>;
using bytes_t = std::vector<std::uint8_t>;
bytes_t encode_tile(int);

// ---- A record queued with its frame type; the writer follows the flag ----

struct outgoing {
  std::string bytes;
  bool binary = false;
};
struct frame {
  std::shared_ptr<const bytes_t> body;
  bool binary;
};

class seat_session {
  ws_t ws_;
  outgoing front_;
  frame next_;
  void enqueue(outgoing m);
  void enqueue_frame(frame f);

public:
  explicit seat_session(int fd) : ws_(fd) {}
  void on_ticket(const bytes_t &png, const json &meta) {
    enqueue({meta.dump(), false});
    enqueue({std::string(png.begin(), png.end()), false});
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'outgoing' is told that 'png', declared as bytes, are text ('binary' is false): the bytes go out as a text frame [ES-WS-004] [errorshield-ws-frame-type]
    enqueue({std::string(png.begin(), png.end()), true});
    enqueue(outgoing{meta.dump(), true});
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'outgoing' is told that the text 'dump' produces is binary ('binary' is true): the text goes out as a binary frame
  }
  void on_tile(int id) {
    bytes_t enc = encode_tile(id);
    enqueue_frame(frame{std::make_shared<const bytes_t>(std::move(enc)), false});
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: 'frame' is told that 'enc', declared as bytes, are text ('binary' is false)
    bytes_t ok = encode_tile(id);
    enqueue_frame(frame{std::make_shared<const bytes_t>(std::move(ok)), true});
  }
  void write_next() {
    ws_.binary(front_.binary);
    ws_.write(net::buffer(front_.bytes));
    ws_.binary(next_.binary);
    ws_.write(net::buffer(*next_.body));
  }
};

// A record whose flag no writer reads: not a frame type.
struct log_entry {
  std::string line;
  bool text;
};
void archive(log_entry);
void archive_packet(const bytes_t &pkt) {
  archive({std::string(pkt.begin(), pkt.end()), true});
}

// ---- write_some(fin, buffers): the payload is the second argument ----

void push_batch(ws_t &ws, const json &batch) {
  bytes_t packed = json::to_msgpack(batch);
  ws.text(true);
  ws.write_some(true, net::buffer(packed));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write_some sends 'packed', declared as bytes, on 'ws', which is in text mode
  ws.binary(true);
  ws.write_some(true, net::buffer(packed));
}

// ---- A stream of this function, written before its first setter: Beast's default, text ----

void kiosk(int fd, const json &req) {
  ws_t ws(fd);
  ws.accept();
  bytes_t map = encode_tile(0);
  ws.write(net::buffer(map));
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: write sends 'map', declared as bytes, on 'ws', which is in text mode
  ws.binary(true);
  ws.write(net::buffer(map));
}

// In a loop, a setter later in the body runs before the next iteration's write: not known.
void kiosk_loop(int fd) {
  ws_t ws(fd);
  ws.accept();
  for (int i = 0; i < 3; ++i) {
    bytes_t tile = encode_tile(i);
    ws.write(net::buffer(tile));
    ws.binary(true);
  }
}

// ---- A function template written with a byte parameter: found at the instantiating call ----

template <class Stream, class Payload> void send_text_frame(Stream &ws, const Payload &payload) {
  ws.text(true);
  ws.write(net::buffer(payload)); // the write the note points at
}

void deliver(ws_t &ws, const json &receipt, const bytes_t &qr) {
  send_text_frame(ws, receipt.dump());
  send_text_frame(ws, qr);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: write sends 'payload', declared as bytes, on 'ws', which is in text mode
// CHECK-MESSAGES: :110:6: note: the write, in the function template instantiated by this call
}

// A lambda written before the setter may run after it: not known.
template <class F> void on_accepted(F f) { f(); }
void kiosk_deferred(int fd) {
  ws_t ws(fd);
  auto send_map = [&ws] {
    bytes_t map = encode_tile(0);
    ws.write(net::buffer(map));
  };
  ws.binary(true);
  on_accepted(send_map);
}
