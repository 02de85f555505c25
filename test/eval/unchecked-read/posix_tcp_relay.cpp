// checks: errorshield-unchecked-read
// Plain TCP relay that sits in front of a legacy order backend: it accepts a
// client, dials the backend and shovels bytes in both directions. The billing
// backend is reached over TLS through OpenSSL; a control pipe carries
// single-byte commands from the supervisor.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

struct FrameHeader {
  uint32_t magic;
  uint32_t length;
};

constexpr uint32_t kFrameMagic = 0xB1E55EDu;

static bool write_all(int fd, const char* p, size_t len) {
  while (len > 0) {
    ssize_t w = ::write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    len -= static_cast<size_t>(w);
  }
  return true;
}

// Only errors end this loop: once the client closes, read() returns 0 on every
// iteration and the relay thread spins at 100% CPU forever.
void pump_naive(int from, int to) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(from, buf, sizeof buf);  // expect: errorshield-unchecked-read
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("relay read");
      return;
    }
    write_all(to, buf, static_cast<size_t>(n));
  }
}

// Correct: n == 0 is the peer's FIN, which is forwarded as a half-close.
void pump(int from, int to) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n == 0) {
      ::shutdown(to, SHUT_WR);
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (!write_all(to, buf, static_cast<size_t>(n))) return;
  }
}

// `>= 0` keeps looping on 0 just like `!= -1` would.
size_t drain_to_vector(int fd, std::vector<char>& out) {
  char chunk[4096];
  ssize_t n;
  while ((n = ::recv(fd, chunk, sizeof chunk, 0)) >= 0) {  // expect: errorshield-unchecked-read
    out.insert(out.end(), chunk, chunk + n);
  }
  return out.size();
}

// Correct: the loop stops on EOF and on error alike.
size_t drain_all(int fd, std::vector<char>& out) {
  char chunk[4096];
  ssize_t n;
  while ((n = ::recv(fd, chunk, sizeof chunk, 0)) > 0) out.insert(out.end(), chunk, chunk + n);
  return out.size();
}

// Correct: only EINTR is handled here, the count goes back to the caller.
ssize_t read_retry(int fd, void* buf, size_t len) {
  ssize_t n;
  do {
    n = ::read(fd, buf, len);
  } while (n == -1 && errno == EINTR);
  return n;
}

class Poller {
 public:
  explicit Poller(int wake_fd) : wake_fd_(wake_fd) {}

  void wake() {
    uint64_t one = 1;
    ::write(wake_fd_, &one, sizeof one);  // a write, not a read: out of scope
  }

  void drain_wakeups() {
    uint64_t counter;
    (void)::read(wake_fd_, &counter, sizeof counter);  // expect: errorshield-unchecked-read
  }

  // Correct for this check: the count is stored in a member, the event loop looks at it.
  void peek(int fd) { last_peek_ = ::recv(fd, peek_buf_, sizeof peek_buf_, MSG_PEEK | MSG_DONTWAIT); }

  ssize_t last_peek() const { return last_peek_; }

 private:
  int wake_fd_;
  char peek_buf_[64];
  ssize_t last_peek_ = 0;
};

// A closed peer gives got == 0 and the header is parsed from stale bytes.
bool read_frame_naive(int fd, FrameHeader& hdr, char* body, size_t cap) {
  iovec iov[2] = {{&hdr, sizeof hdr}, {body, cap}};
  ssize_t got = ::readv(fd, iov, 2);  // expect: errorshield-unchecked-read
  if (got == -1) return false;
  return ntohl(hdr.magic) == kFrameMagic;
}

// Correct: anything shorter than a header (including 0) is rejected.
bool read_frame(int fd, FrameHeader& hdr, char* body, size_t cap) {
  iovec iov[2] = {{&hdr, sizeof hdr}, {body, cap}};
  ssize_t got = ::readv(fd, iov, 2);
  if (got < static_cast<ssize_t>(sizeof hdr)) return false;
  return ntohl(hdr.magic) == kFrameMagic;
}

bool backend_hello(int fd) {
  char banner[256];
  // skip the backend's greeting line
  ::recv(fd, banner, sizeof banner, 0);  // expect: errorshield-unchecked-read

  FrameHeader hello{htonl(kFrameMagic), 0};
  if (!write_all(fd, reinterpret_cast<const char*>(&hello), sizeof hello)) return false;

  unsigned char ack = 0;
  if (::recv(fd, &ack, 1, 0) < 0) return false;  // expect: errorshield-unchecked-read
  return ack == 0x06;
}

// Correct: the header must arrive in full, a short count (0 included) fails.
bool backend_header(int fd, FrameHeader& hdr) {
  if (::recv(fd, &hdr, sizeof hdr, MSG_WAITALL) != sizeof hdr) return false;
  hdr.length = ntohl(hdr.length);
  return true;
}

enum class Command { None, Reload, Stop };

// Correct: the switch handles 1 (a command), 0 (supervisor gone) and -1.
Command poll_control(int ctl_fd) {
  char cmd = 0;
  switch (::read(ctl_fd, &cmd, 1)) {
    case 1:
      return cmd == 'r' ? Command::Reload : Command::None;
    case 0:
      return Command::Stop;
    default:
      return errno == EAGAIN ? Command::None : Command::Stop;
  }
}

// SSL_read returns 0 once the billing backend sends close_notify; `< 0` never sees it.
void pump_tls_naive(SSL* ssl, int to) {
  char buf[8192];
  for (;;) {
    int n = SSL_read(ssl, buf, sizeof buf);  // expect: errorshield-unchecked-read
    if (n < 0) {
      ERR_print_errors_fp(stderr);
      return;
    }
    write_all(to, buf, static_cast<size_t>(n));
  }
}

// Correct: every non-positive return goes through SSL_get_error.
void pump_tls(SSL* ssl, int to) {
  char buf[8192];
  for (;;) {
    int n = SSL_read(ssl, buf, sizeof buf);
    if (n <= 0) {
      int err = SSL_get_error(ssl, n);
      if (err == SSL_ERROR_WANT_READ) continue;
      return;
    }
    if (!write_all(to, buf, static_cast<size_t>(n))) return;
  }
}

// A project type with its own read(): not the POSIX function.
struct FrameDecoder {
  size_t read(const char* data, size_t len) {
    pending_.append(data, len);
    return pending_.size();
  }
  std::string pending_;
};

void feed_decoder(FrameDecoder& dec, const char* data, size_t len) {
  dec.read(data, len);  // member of FrameDecoder, not ::read
}
