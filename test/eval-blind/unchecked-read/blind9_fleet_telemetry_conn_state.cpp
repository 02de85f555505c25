// checks: errorshield-unchecked-read
// Fleet-tracking ingest node: telematics units in trucks and vans keep a raw TCP
// connection open and push fixed-header frames (GPS fix, door sensors, fuel level).
// Connection bookkeeping lives in a `conn_state` owned by a map; the handlers are free
// functions that take the state by reference.
#include <boost/asio.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

struct frame_header {
  std::uint16_t magic;
  std::uint16_t kind;
  std::uint32_t length;
};

struct gps_fix {
  std::uint32_t vehicle_id;
  std::int32_t lat_e7;
  std::int32_t lon_e7;
  std::uint32_t unix_ts;
};

struct conn_state {
  int fd = -1;
  std::uint32_t vehicle_id = 0;
  frame_header hdr{};
  std::vector<char> body;
  std::string inbox;
  bool peer_closed = false;
  bool failed = false;
};

struct async_conn_state {
  explicit async_conn_state(tcp::socket s) : sock(std::move(s)) {}
  tcp::socket sock;
  frame_header hdr{};
  std::vector<char> body;
  std::uint64_t frames = 0;
};

using conn_table = std::unordered_map<int, conn_state>;

void store_fix(const gps_fix &fix);
void dispatch_frame(conn_state &cs);
void dispatch_frame(async_conn_state &cs);
void close_conn(conn_table &table, int fd);

constexpr std::uint16_t k_magic = 0xF1EE;

// ---------------------------------------------------------------------------
// POSIX side (legacy units still served by the epoll loop)

// Old firmware sends the header in one segment, so the original author assumed
// MSG_WAITALL always fills it.  A unit that drops off mid-frame leaves `hdr` stale.
void read_header_blocking(conn_state &cs) {
  char raw[sizeof(frame_header)];
  ::recv(cs.fd, raw, sizeof raw, MSG_WAITALL); // expect: errorshield-unchecked-read
  std::memcpy(&cs.hdr, raw, sizeof raw);
  cs.body.resize(cs.hdr.length);
}

// Reads exactly `need` bytes for the body.  The counter looks careful, but a
// peer that closes returns 0 forever and -1 is added as a huge size_t.
void read_body_exact(conn_state &cs) {
  std::size_t need = cs.body.size();
  std::size_t got = 0;
  while (got < need) {
    got += ::read(cs.fd, cs.body.data() + got, need - got); // expect: errorshield-unchecked-read
  }
}

// Same shape as read_body_exact, but every outcome of ::read is handled.
bool read_body_exact_checked(conn_state &cs) {
  std::size_t need = cs.body.size();
  std::size_t got = 0;
  while (got < need) {
    ssize_t n = ::read(cs.fd, cs.body.data() + got, need - got);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) {
      cs.peer_closed = true;
      return false;
    }
    if (errno == EINTR)
      continue;
    cs.failed = true;
    return false;
  }
  return true;
}

// Non-blocking drain used by the epoll loop when EPOLLIN fires.
void drain_socket(conn_state &cs) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(cs.fd, buf, sizeof buf);
    if (n > 0) {
      cs.inbox.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) {
      cs.peer_closed = true;
      return;
    }
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      cs.failed = true;
    return;
  }
}

// The eventfd used to wake the loop must be read back to clear it.  The result
// is compared even though the only consequence is a log line.
void clear_wakeup(int efd) {
  std::uint64_t ticks = 0;
  if (::read(efd, &ticks, sizeof ticks) != static_cast<ssize_t>(sizeof ticks))
    std::cerr << "wakeup eventfd read short\n";
}

void on_readable(conn_table &table, int fd) {
  auto it = table.find(fd);
  if (it == table.end())
    return;
  conn_state &cs = it->second;
  read_header_blocking(cs);
  if (cs.hdr.magic != k_magic) {
    close_conn(table, fd);
    return;
  }
  if (cs.hdr.kind == 1) {
    read_body_exact(cs);
  } else if (!read_body_exact_checked(cs)) {
    close_conn(table, fd);
    return;
  }
  dispatch_frame(cs);
}

// ---------------------------------------------------------------------------
// Asio side (current firmware)

bool fail(async_conn_state &cs, const error_code &ec, const char *what) {
  if (!ec)
    return false;
  if (ec != asio::error::eof && ec != asio::error::operation_aborted)
    std::cerr << "vehicle conn " << what << ": " << ec.message() << "\n";
  error_code ignored;
  cs.sock.close(ignored);
  return true;
}

void start_header(std::shared_ptr<async_conn_state> cs);

void start_body(std::shared_ptr<async_conn_state> cs) {
  cs->body.resize(cs->hdr.length);
  asio::async_read(cs->sock, asio::buffer(cs->body),
                   [cs](error_code ec, std::size_t) {
                     if (fail(*cs, ec, "body"))
                       return;
                     ++cs->frames;
                     dispatch_frame(*cs);
                     start_header(cs);
                   });
}

void start_header(std::shared_ptr<async_conn_state> cs) {
  asio::async_read(cs->sock, asio::buffer(&cs->hdr, sizeof cs->hdr),
                   [cs](error_code ec, std::size_t n) {
                     if (fail(*cs, ec, "header") || n != sizeof cs->hdr)
                       return;
                     start_body(cs);
                   });
}

// Heartbeat-only units (trailers with a solar tracker) send a 4-byte keepalive.
// The handler re-arms unconditionally; once the tracker's modem hangs up the
// completion fires immediately with eof, over and over.
void start_keepalive(std::shared_ptr<async_conn_state> cs,
                     std::shared_ptr<std::array<char, 4>> ka) {
  asio::async_read(cs->sock, asio::buffer(*ka), // expect: errorshield-unchecked-read
                   [cs, ka](error_code, std::size_t) {
                     ++cs->frames;
                     start_keepalive(cs, ka);
                   });
}

// Synchronous read with the throwing overload: errors surface as system_error
// which the caller catches and turns into a disconnect.
std::uint32_t read_vehicle_hello(tcp::socket &sock) {
  std::uint32_t id = 0;
  asio::read(sock, asio::buffer(&id, sizeof id));
  return id;
}

// Diagnostics port: ops tools connect and type commands.  The partial read is
// treated as if the whole scratch buffer had been filled, and `ec` is never
// looked at, so a closed diagnostics session appends garbage in a tight loop.
void serve_diag(tcp::socket &sock, std::string &log) {
  char scratch[256];
  error_code ec;
  while (log.size() < 64 * 1024) {
    sock.read_some(asio::buffer(scratch), ec); // expect: errorshield-unchecked-read
    log.append(scratch, sizeof scratch);
  }
}

// Looks the same as serve_diag, but uses the returned count and stops on error.
void serve_diag_v2(tcp::socket &sock, std::string &log) {
  char scratch[256];
  error_code ec;
  while (log.size() < 64 * 1024) {
    std::size_t n = sock.read_some(asio::buffer(scratch), ec);
    if (ec)
      break;
    log.append(scratch, n);
  }
}

// ---------------------------------------------------------------------------
// Route replay: the dispatcher UI can replay a day of GPS fixes from disk.

std::vector<gps_fix> load_replay_legacy(const std::string &path) {
  std::vector<gps_fix> out;
  std::ifstream in(path, std::ios::binary);
  gps_fix fix{};
  while (!in.eof()) {
    in.read(reinterpret_cast<char *>(&fix), sizeof fix); // expect: errorshield-unchecked-read
    out.push_back(fix);
  }
  return out;
}

std::vector<gps_fix> load_replay(const std::string &path) {
  std::vector<gps_fix> out;
  std::ifstream in(path, std::ios::binary);
  gps_fix fix{};
  while (in.read(reinterpret_cast<char *>(&fix), sizeof fix))
    out.push_back(fix);
  return out;
}

std::size_t replay_tail(std::ifstream &in, std::vector<gps_fix> &out) {
  gps_fix fix{};
  std::size_t n = 0;
  for (;;) {
    in.read(reinterpret_cast<char *>(&fix), sizeof fix);
    if (in.gcount() != static_cast<std::streamsize>(sizeof fix))
      break;
    store_fix(fix);
    out.push_back(fix);
    ++n;
  }
  return n;
}

void accept_vehicle(tcp::socket sock) {
  try {
    std::uint32_t id = read_vehicle_hello(sock);
    std::cerr << "vehicle " << id << " online\n";
    auto cs = std::make_shared<async_conn_state>(std::move(sock));
    start_header(cs);
  } catch (const boost::system::system_error &e) {
    std::cerr << "hello failed: " << e.what() << "\n";
  }
}
