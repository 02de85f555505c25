// RUN: %strip_checks %s > %t.cpp
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-message-limit' -- -std=c++20 -nostdinc++ -isystem %mocks \
// RUN:   | FileCheck %s --check-prefix=CHECK-MESSAGES --implicit-check-not='{{warning|error|note}}:'
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-message-limit' \
// RUN:   --config="{CheckOptions: {errorshield-ws-message-limit.StaticBufferTypes: '', errorshield-ws-message-limit.LimitedBufferTypes: ''}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks | FileCheck %s --check-prefix=CHECK-NOBOUND

#include "websocket.h"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

// ---- 1. Owner is the class: a limit set in any member function covers every read ----

class unlimited_session {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  void do_read() { ws_.async_read(buffer_, [](beast::error_code, size_t) {}); }
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: async_read on 'ws_', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE-2]]:24: note: set a limit before the first read, e.g. ws_.read_message_max(1048576)
  // The same stream's other reads are not reported again: one limit fixes them all.
  void read_part() { ws_.async_read_some(buffer_, 512, [](beast::error_code, size_t) {}); }
};

class limited_session {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit limited_session(tcp::socket &&s) : ws_(std::move(s)) { ws_.read_message_max(64 * 1024); }
  void do_read() { ws_.async_read(buffer_, [](beast::error_code, size_t) {}); }
};

// Reached through another pointer to the class (a shared_ptr captured by a handler): same owner.
class relayed_session : public std::enable_shared_from_this<relayed_session> {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code) {
      self->ws_.async_read(self->buffer_, [](beast::error_code, size_t) {});
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: async_read on 'ws_', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE-2]]:17: note: set a limit before the first read, e.g. ws_.read_message_max(1048576)
    });
  }
};

// ---- 2. Owner is the function for a local stream ----

void sync_echo(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.accept();
  beast::flat_buffer b;
  for (;;)
    ws.read(b);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: read on 'ws', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: set a limit before the first read, e.g. ws.read_message_max(1048576)
}

void sync_limited(tcp::socket s) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  ws.read_message_max(1 << 20);
  beast::flat_buffer b;
  ws.read(b);
  ws.read_some(b, 1024);
}

void limit_elsewhere(tcp::socket s);
void limit_in_other_function(tcp::socket s) {
  // Another function's limit on its own stream does not count here.
  websocket::stream<tcp::socket> ws{std::move(s)};
  beast::flat_buffer b;
  ws.read(b);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: read on 'ws', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE-2]]:6: note: set a limit before the first read, e.g. ws.read_message_max(1048576)
}

// ---- 3. Limits that do not limit: judged wherever the stream lives ----

void unlimited(websocket::stream<tcp::socket> &ws, size_t configured) {
  ws.read_message_max(0);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: read_message_max(0) removes the message size limit: one peer can make the server buffer a message of any size [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE-2]]:6: note: limit messages to what the protocol needs, e.g. read_message_max(1048576)
  ws.read_message_max(128ull << 20);
// CHECK-MESSAGES: :[[@LINE-1]]:6: warning: read_message_max(134217728) allows messages above the 67108864-byte ceiling: a few peers can exhaust the server's memory [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE-2]]:6: note: limit messages to what the protocol needs, e.g. read_message_max(1048576)
  ws.read_message_max(64ull << 20);
  ws.read_message_max(configured);
}

// ---- 4. A stream the code does not own is not judged ----

void pump(websocket::stream<tcp::socket> &ws, beast::flat_buffer &b) { ws.read(b); }
void pump_ptr(websocket::stream<tcp::socket> *ws, beast::flat_buffer &b) { ws->read(b); }
websocket::stream<tcp::socket> *global_ws;
void pump_global(beast::flat_buffer &b) { global_ws->read(b); }

// ---- 5. Templates: judged through the pattern, reported once ----

template <class Next> class generic_session {
  websocket::stream<Next> ws_;
  beast::flat_buffer buffer_;

public:
  void do_read() { ws_.async_read(buffer_, [](beast::error_code, size_t) {}); }
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: async_read on 'ws_', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE-2]]:24: note: set a limit before the first read, e.g. ws_.read_message_max(1048576)
};
template class generic_session<tcp::socket>;
template class generic_session<beast::tcp_stream>;

template <class Next> class generic_limited {
  websocket::stream<Next> ws_;
  beast::flat_buffer buffer_;

public:
  void run() { ws_.read_message_max(1 << 20); }
  void do_read() { ws_.async_read(buffer_, [](beast::error_code, size_t) {}); }
};

// ---- 6. A helper that configures the stream it is handed configures the owner's stream ----

template <class Next> void setup_stream(websocket::stream<Next> &ws) { ws.read_message_max(1 << 20); }
void log_stream(websocket::stream<beast::tcp_stream> &ws);

class helper_configured {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit helper_configured(tcp::socket &&s) : ws_(std::move(s)) { setup_stream(ws_); }
  void do_read() { ws_.async_read(buffer_, [](beast::error_code, size_t) {}); }
};

class helper_unrelated {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  explicit helper_unrelated(tcp::socket &&s) : ws_(std::move(s)) { log_stream(ws_); }
  void do_read() { ws_.async_read(buffer_, [](beast::error_code, size_t) {}); }
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: async_read on 'ws_', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE-2]]:24: note: set a limit before the first read, e.g. ws_.read_message_max(1048576)
};

void setup_by_pointer(websocket::stream<beast::tcp_stream> *ws) { ws->read_message_max(1 << 20); }
class pointer_configured {
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;

public:
  void start() { setup_by_pointer(&ws_); }
  void do_read() { ws_.async_read(buffer_, [](beast::error_code, size_t) {}); }
};

// Two locals that share a name are two streams.
void two_streams(tcp::socket a, tcp::socket b) {
  beast::flat_buffer buffer;
  {
    websocket::stream<tcp::socket> ws{std::move(a)};
    ws.read_message_max(1 << 20);
    ws.read(buffer);
  }
  {
    websocket::stream<tcp::socket> ws{std::move(b)};
    ws.read(buffer);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: read on 'ws', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: set a limit before the first read, e.g. ws.read_message_max(1048576)
  }
}

// ---- 7. Not a WebSocket stream ----
struct file_reader {
  void read(beast::flat_buffer &) {}
};
void not_websocket(file_reader &f, beast::flat_buffer &b) { f.read(b); }

// ---- 8. An owner with member functions defined in another translation unit ----
// setup() may set the limit: not known here, so quiet. The same class with every body visible is
// reported (unlimited_session above).
class split_reader {
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  void setup(); // defined in split_reader.cpp

public:
  void do_read() { ws_.async_read(buffer_, [](beast::error_code, size_t) {}); }
};

// ---- 9. A buffer that cannot grow past a size is the limit ----
// Beast fails a read with buffer_overflow when the message does not fit.
void bounded_buffers(tcp::socket a, tcp::socket b, tcp::socket c) {
  {
    websocket::stream<tcp::socket> ws{std::move(a)};
    beast::flat_static_buffer<2048> probe;
    ws.read(probe);
// CHECK-NOBOUND: :[[@LINE-1]]:8: warning: read on 'ws', whose owner never calls read_message_max()
  }
  {
    websocket::stream<tcp::socket> ws{std::move(b)};
    beast::flat_buffer capped(32 * 1024);
    ws.read(capped);
// CHECK-NOBOUND: :[[@LINE-1]]:8: warning: read on 'ws', whose owner never calls read_message_max()
  }
  {
    websocket::stream<tcp::socket> ws{std::move(c)};
    beast::flat_buffer growing;
    ws.read(growing);
// CHECK-MESSAGES: :[[@LINE-1]]:8: warning: read on 'ws', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE-2]]:8: note: set a limit before the first read, e.g. ws.read_message_max(1048576)
  }
}
class calibration_session {
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;

public:
  explicit calibration_session(tcp::socket s) : ws_(std::move(s)), buffer_(32 * 1024) {}
  void do_read() { ws_.async_read(buffer_, [](beast::error_code, size_t) {}); }
// CHECK-NOBOUND: :[[@LINE-1]]:24: warning: async_read on 'ws_', whose owner never calls read_message_max()
};

// ---- 10. A configurator whose code is not seen: a function pointer ----
using stream_setup = void (*)(websocket::stream<tcp::socket> &);
void side_channel(tcp::socket s, stream_setup setup, beast::flat_buffer &b) {
  websocket::stream<tcp::socket> ws{std::move(s)};
  setup(ws);
  ws.read(b);
}

// ---- 11. A limit set on one path only, or after the first read ----
class room_member {
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  void configure_editor() { ws_.read_message_max(64 * 1024); }
  void edit_loop() { ws_.read(buffer_); }
  void view_loop() { ws_.read(buffer_); }
// CHECK-MESSAGES: :[[@LINE-1]]:26: warning: read on 'ws_' can run before read_message_max() is called: 'run' reaches it without setting a limit, and the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]

public:
  void run(bool editor) {
    ws_.accept();
    if (editor) {
      configure_editor();
      edit_loop();
    } else {
      view_loop();
    }
  }
};
class limited_first {
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  void on_accept(beast::error_code) { do_read(); } // a handler, bound below
  void do_read() { ws_.async_read(buffer_, [](beast::error_code, size_t) {}); }

public:
  void run() {
    ws_.read_message_max(64 * 1024);
    ws_.async_accept([this](beast::error_code ec) { on_accept(ec); });
  }
};
class limited_in_constructor_helper {
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  void configure() { ws_.read_message_max(4096); }
  void do_read() { ws_.read(buffer_); }

public:
  explicit limited_in_constructor_helper(tcp::socket s) : ws_(std::move(s)) { configure(); }
  void run() { do_read(); }
};

// ---- 12. read_some into a buffer of its own size: at most the chunk per call ----
void read_chunks(tcp::socket s, tcp::socket t, unsigned cap) {
  {
    websocket::stream<tcp::socket> ws{std::move(s)};
    char chunk[4096];
    ws.read_some(boost::asio::mutable_buffer(chunk, sizeof chunk)); // one chunk
// CHECK-NOBOUND: :[[@LINE-1]]:8: warning: read_some on 'ws', whose owner never calls read_message_max()
    for (unsigned total = 0;;) { // chunks added up under a cap
      total += ws.read_some(boost::asio::mutable_buffer(chunk, sizeof chunk));
      if (total > cap)
        break;
    }
  }
  websocket::stream<tcp::socket> feed{std::move(t)};
  char chunk[4096];
  for (;;) // chunks added up with no cap: the whole message is up to the peer
    feed.read_some(boost::asio::mutable_buffer(chunk, sizeof chunk));
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: read_some on 'feed', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE-2]]:10: note: set a limit before the first read, e.g. feed.read_message_max(1048576)
// CHECK-NOBOUND: :[[@LINE-3]]:10: warning: read_some on 'feed', whose owner never calls read_message_max()
}
// A handler that starts the same chunk read again is a loop: the chunks add up.
class chunk_reader {
  websocket::stream<tcp::socket> ws_;
  char chunk_[4096];
  std::string pending_;
  void read_chunk() {
    ws_.async_read_some(boost::asio::mutable_buffer(chunk_, sizeof chunk_), [this](beast::error_code ec, size_t n) {
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: async_read_some on 'ws_', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE-2]]:9: note: set a limit before the first read
// CHECK-NOBOUND: :[[@LINE-3]]:9: warning: async_read_some on 'ws_', whose owner never calls read_message_max()
// NOBIND: :[[@LINE-4]]:9: warning: async_read_some on 'ws_', whose owner never calls read_message_max()
      if (ec)
        return;
      pending_.append(chunk_, n);
      read_chunk();
    });
  }
};
class capped_chunk_reader { // the same, with the chunks' sum compared to a cap
  websocket::stream<tcp::socket> ws_;
  char chunk_[4096];
  std::string pending_;
  void read_chunk() {
    ws_.async_read_some(boost::asio::mutable_buffer(chunk_, sizeof chunk_),
                        beast::bind_front_handler(&capped_chunk_reader::on_chunk, this));
  }
  void on_chunk(beast::error_code ec, size_t n) {
    if (ec || pending_.size() + n > 65536)
      return;
    pending_.append(chunk_, n);
    read_chunk();
  }
};
class one_chunk_reader { // the handler does not read again: one chunk
  websocket::stream<tcp::socket> ws_;
  char chunk_[4096];
  void read_chunk() {
    ws_.async_read_some(boost::asio::mutable_buffer(chunk_, sizeof chunk_), [](beast::error_code, size_t) {});
// CHECK-NOBOUND: :[[@LINE-1]]:9: warning: async_read_some on 'ws_', whose owner never calls read_message_max()
  }
};
class bound_chunk_reader { // re-armed by a bound handler with no cap: a loop found through BindFunctions
  websocket::stream<tcp::socket> ws_;
  char chunk_[4096];
  std::string pending_;
  void read_chunk() {
    ws_.async_read_some(boost::asio::mutable_buffer(chunk_, sizeof chunk_),
                        beast::bind_front_handler(&bound_chunk_reader::on_chunk, this));
// CHECK-MESSAGES: :[[@LINE-2]]:9: warning: async_read_some on 'ws_', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE-3]]:9: note: set a limit before the first read
// CHECK-NOBOUND: :[[@LINE-4]]:9: warning: async_read_some on 'ws_', whose owner never calls read_message_max()
// NOBIND-NOT: :[[@LINE-5]]:9: warning
  }
  void on_chunk(beast::error_code ec, size_t n) {
    if (ec)
      return;
    pending_.append(chunk_, n);
    read_chunk();
  }
};
// With no BindFunctions, a bound handler is not followed: the read above is one chunk (prefix
// NOBIND; the lambda-armed chunk_reader is still a loop).
// RUN: %clang_tidy %t.cpp --checks='-*,errorshield-ws-message-limit' \
// RUN:   --config="{CheckOptions: {errorshield-ws-message-limit.BindFunctions: ''}}" \
// RUN:   -- -std=c++20 -nostdinc++ -isystem %mocks | FileCheck %s --check-prefix=NOBIND

// ---- 13. Handlers bound by address run after the code that binds them ----
class wallet_session {
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  void on_accept(beast::error_code) { read_auth(); }
  void read_auth() { ws_.async_read(buffer_, beast::bind_front_handler(&wallet_session::on_auth, this)); }
// CHECK-MESSAGES: :[[@LINE-1]]:26: warning: async_read on 'ws_' can run before read_message_max() is called: 'start' reaches it without setting a limit, and the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
  void on_auth(beast::error_code, size_t) {
    ws_.read_message_max(16 * 1024); // too late for the first message
    ws_.async_read(buffer_, beast::bind_front_handler(&wallet_session::on_auth, this));
  }

public:
  void start() { ws_.async_accept(beast::bind_front_handler(&wallet_session::on_accept, this)); }
};
class wallet_session_limited {
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  void on_accept(beast::error_code) { read_auth(); }
  void read_auth() { ws_.async_read(buffer_, beast::bind_front_handler(&wallet_session_limited::on_auth, this)); }
  void on_auth(beast::error_code, size_t) {
    ws_.read_message_max(16 * 1024);
    ws_.async_read(buffer_, beast::bind_front_handler(&wallet_session_limited::on_auth, this));
  }

public:
  void start() {
    ws_.read_message_max(4096);
    ws_.async_accept(beast::bind_front_handler(&wallet_session_limited::on_accept, this));
  }
};

// ---- A helper that reads the stream it is lent reads the owner's stream at the call ----
template <class Stream, class Handler>
void read_next_message(Stream &ws, beast::flat_buffer &buffer, Handler &&handler) {
  ws.async_read(buffer, handler);
}
class note_session {
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;

public:
  void on_accept() { read_next_message(ws_, buffer_, [](beast::error_code, size_t) {}); }
// CHECK-MESSAGES: :[[@LINE-1]]:22: warning: read_next_message on 'ws_', whose owner never calls read_message_max(): the size of each message is up to the peer [ES-WS-003] [errorshield-ws-message-limit]
// CHECK-MESSAGES: :[[@LINE-2]]:22: note: set a limit before the first read, e.g. ws_.read_message_max(1048576)
};
class annotation_session {
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;

public:
  void on_accept() {
    ws_.read_message_max(64 * 1024);
    read_next_message(ws_, buffer_, [](beast::error_code, size_t) {});
  }
};
