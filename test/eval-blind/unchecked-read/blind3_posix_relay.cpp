// checks: errorshield-unchecked-read
// A small epoll-free TCP/UDP relay and config loader written against raw
// POSIX sockets and iostreams.
#include <arpa/inet.h>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#include <vector>

namespace relay {

void log_err(const char *what) { std::fprintf(stderr, "%s: %s\n", what, std::strerror(errno)); }

// Returns false and logs on -1, or on 0 (peer closed).
bool io_ok(ssize_t n, const char *what) {
  if (n < 0) {
    log_err(what);
    return false;
  }
  return n != 0;
}

void handle_payload(const char *data, std::size_t len);

// ---------------------------------------------------------------------------
// TCP
// ---------------------------------------------------------------------------

// BUG: result ignored entirely; header may be half-filled or garbage.
void read_header_bad(int fd, std::uint32_t &len) {
  read(fd, &len, sizeof len); // expect: errorshield-unchecked-read
  len = ntohl(len);
}

// BUG: -1 is converted to a huge size_t.
void read_chunk_bad(int fd) {
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf); // expect: errorshield-unchecked-read
  handle_payload(buf, static_cast<std::size_t>(n));
}

// OK: both 0 and -1 handled.
void read_chunk_ok(int fd) {
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n <= 0) {
    if (n < 0)
      log_err("read");
    return;
  }
  handle_payload(buf, static_cast<std::size_t>(n));
}

// OK: loop condition ends on EOF and on error.
std::string slurp(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    out.append(buf, static_cast<std::size_t>(n));
  if (n < 0)
    log_err("slurp");
  return out;
}

// BUG: handles -1/EINTR but never 0, so on peer close it spins forever.
void pump_bad(int from, int to) {
  char buf[8192];
  for (;;) {
    ssize_t n = recv(from, buf, sizeof buf, 0); // expect: errorshield-unchecked-read
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN)
        continue;
      log_err("recv");
      return;
    }
    if (send(to, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL) < 0)
      return;
  }
}

// OK: checked through a helper.
void pump_ok(int from, int to) {
  char buf[8192];
  for (;;) {
    ssize_t n = recv(from, buf, sizeof buf, 0);
    if (!io_ok(n, "recv"))
      return;
    if (send(to, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL) < 0)
      return;
  }
}

// OK: switch on the result.
int read_command(int fd) {
  char c = 0;
  ssize_t n = read(fd, &c, 1);
  switch (n) {
  case -1:
    log_err("read_command");
    return -1;
  case 0:
    return 0;
  default:
    return c;
  }
}

// OK: exact-read helper with full checking.
bool read_exact(int fd, void *dst, std::size_t len) {
  auto *p = static_cast<char *>(dst);
  while (len > 0) {
    ssize_t n = read(fd, p, len);
    if (n == 0)
      return false;
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    p += n;
    len -= static_cast<std::size_t>(n);
  }
  return true;
}

// OK: deliberately draining a wakeup pipe; the result truly does not matter.
void drain_wakeup(int wake_fd) {
  std::uint64_t v;
  (void)read(wake_fd, &v, sizeof v);
}

// ---------------------------------------------------------------------------
// UDP
// ---------------------------------------------------------------------------

struct Datagram {
  sockaddr_in from{};
  std::vector<char> data;
};

// BUG: recvfrom result used as a size without a check.
Datagram recv_datagram_bad(int fd) {
  Datagram d;
  d.data.resize(65536);
  socklen_t alen = sizeof d.from;
  auto n = recvfrom(fd, d.data.data(), d.data.size(), 0, // expect: errorshield-unchecked-read
                    reinterpret_cast<sockaddr *>(&d.from), &alen);
  d.data.resize(static_cast<std::size_t>(n));
  return d;
}

// OK.
bool recv_datagram_ok(int fd, Datagram &d) {
  d.data.resize(65536);
  socklen_t alen = sizeof d.from;
  auto n = recvfrom(fd, d.data.data(), d.data.size(), 0,
                    reinterpret_cast<sockaddr *>(&d.from), &alen);
  if (n < 0)
    return false;
  d.data.resize(static_cast<std::size_t>(n));
  return true;
}

// ---------------------------------------------------------------------------
// Streams
// ---------------------------------------------------------------------------

struct Route {
  std::string prefix;
  std::string upstream;
  int port = 0;
};

// BUG: getline result is never tested; at EOF this loops forever.
std::vector<Route> load_routes_bad(std::istream &in) {
  std::vector<Route> routes;
  std::string line;
  for (;;) {
    std::getline(in, line); // expect: errorshield-unchecked-read
    if (line == "END")
      break;
    std::istringstream ls(line);
    Route r;
    if (ls >> r.prefix >> r.upstream >> r.port)
      routes.push_back(r);
  }
  return routes;
}

// OK: EOF handled by the loop condition.
std::vector<Route> load_routes_ok(std::istream &in) {
  std::vector<Route> routes;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    std::istringstream ls(line);
    Route r;
    if (!(ls >> r.prefix >> r.upstream >> r.port))
      continue;
    routes.push_back(r);
  }
  return routes;
}

// BUG: extraction not checked; port keeps a garbage/zero value on bad input.
int read_port_bad(std::istream &in) {
  int port;
  in >> port; // expect: errorshield-unchecked-read
  return port;
}

// OK: extraction checked via fail().
int read_port_ok(std::istream &in) {
  int port = 0;
  in >> port;
  if (in.fail())
    return -1;
  return port;
}

// BUG: binary read then uses the whole buffer regardless of gcount().
void load_blob_bad(const char *path) {
  std::ifstream f(path, std::ios::binary);
  char buf[1024];
  f.read(buf, sizeof buf); // expect: errorshield-unchecked-read
  handle_payload(buf, sizeof buf);
}

// OK: uses gcount().
void load_blob_ok(const char *path) {
  std::ifstream f(path, std::ios::binary);
  char buf[1024];
  f.read(buf, sizeof buf);
  handle_payload(buf, static_cast<std::size_t>(f.gcount()));
}

} // namespace relay

void relay::handle_payload(const char *data, std::size_t len) { std::fwrite(data, 1, len, stdout); }

int main() {
  std::istringstream cfg("/a host 80\nEND\n");
  auto r = relay::load_routes_ok(cfg);
  return static_cast<int>(r.size());
}
