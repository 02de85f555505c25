// The mode a constructor sets holds for the writes of the other member functions; when another
// function sets one too, the message names the function whose setter the write follows.
// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-frame-type' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'

#include "websocket.h"

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using ws_t = websocket::stream<beast::tcp_stream>;

class debug_tap {
  ws_t ws_;
  std::vector<std::uint8_t> packet_;

public:
  explicit debug_tap(int fd) : ws_(fd) { ws_.text(true); }
  void forward() {
    ws_.write(net::buffer(packet_));
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: write sends 'packet_', declared as bytes, on 'ws_', which is in text mode: the bytes go out as a text frame, which peers reject unless it is valid UTF-8 [ES-WS-004] [errorshield-ws-frame-type]
  }
};

// Another function leaves it in binary mode: the constructor is not the last word, and the
// message names the function that is.
class replay_tap {
  ws_t ws_;
  std::vector<std::uint8_t> packet_;
  std::string note_;

public:
  explicit replay_tap(int fd) : ws_(fd) { ws_.text(true); }
  void burst() {
    ws_.binary(true);
    ws_.write(net::buffer(packet_));
  }
  void annotate(const nlohmann::json &j) {
    note_ = j.dump();
    ws_.write(net::buffer(note_));
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: write sends the text 'dump' produces on 'ws_' without setting its mode, and 'burst' leaves it in binary mode: the text goes out as a binary frame [ES-WS-004] [errorshield-ws-frame-type]
  }
};

// Every function leaves the stream in text mode, the constructor included: a write of bytes that
// sets no mode goes out as text, and the message names the constructor by its class.
class video_tap {
  ws_t ws_;
  std::vector<std::uint8_t> raw_;
  std::vector<std::uint8_t> nal_;

public:
  explicit video_tap(int fd) : ws_(fd) { ws_.text(true); }
  void keyframe() {
    ws_.binary(true);
    ws_.write(net::buffer(nal_));
    ws_.text(true);
  }
  void raw() {
    ws_.write(net::buffer(raw_));
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: write sends 'raw_', declared as bytes, on 'ws_' without setting its mode, and 'video_tap' leaves it in text mode: the bytes go out as a text frame [ES-WS-004] [errorshield-ws-frame-type]
  }
};
