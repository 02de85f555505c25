// checks: errorshield-unchecked-read
// POSIX relay: pipes, sockets, datagrams, config files.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>
#include <vector>

#define LOG_ERR(msg) std::fprintf(stderr, "%s: %s\n", msg, std::strerror(errno))

namespace relay {

struct FrameHeader {
  std::uint32_t magic;
  std::uint32_t length;
};

class Pipe {
 public:
  Pipe(int in_fd, int out_fd) : in_(in_fd), out_(out_fd) {}
  bool pumpOnce();
  bool pumpAll();
  bool readHeader(FrameHeader& h);
  void drainWakeup();
  void skipPreamble();
  std::size_t slurp(std::string& out);
  bool scatterRead(FrameHeader& h, char* payload, std::size_t cap);
  int pumpDatagrams();

 private:
  int in_, out_;
  int wake_fd_ = -1;
  char buf_[4096];
};

bool Pipe::pumpOnce() {
  ssize_t n = read(in_, buf_, sizeof buf_);  // expect: errorshield-unchecked-read
  if (n < 0) {
    LOG_ERR("read");
    return false;
  }
  return write(out_, buf_, static_cast<std::size_t>(n)) == n;
}

bool Pipe::pumpAll() {
  for (;;) {
    ssize_t n = read(in_, buf_, sizeof buf_);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (write(out_, buf_, static_cast<std::size_t>(n)) != n) return false;
  }
}

bool Pipe::readHeader(FrameHeader& h) {
  return pread(in_, &h, sizeof h, 0) == static_cast<ssize_t>(sizeof h);
}

void Pipe::drainWakeup() {
  std::uint64_t ticks;
  (void)read(wake_fd_, &ticks, sizeof ticks);  // expect: errorshield-unchecked-read
}

void Pipe::skipPreamble() {
  char junk[16];
  read(in_, junk, sizeof junk);  // expect: errorshield-unchecked-read
}

std::size_t Pipe::slurp(std::string& out) {
  std::size_t total = 0;
  ssize_t n;
  while ((n = read(in_, buf_, sizeof buf_)) != -1) {  // expect: errorshield-unchecked-read
    out.append(buf_, static_cast<std::size_t>(n));
    total += static_cast<std::size_t>(n);
  }
  return total;
}

bool Pipe::scatterRead(FrameHeader& h, char* payload, std::size_t cap) {
  iovec iov[2] = {{&h, sizeof h}, {payload, cap}};
  ssize_t n = readv(in_, iov, 2);
  if (n <= 0) return false;
  return static_cast<std::size_t>(n) >= sizeof h;
}

int Pipe::pumpDatagrams() {
  sockaddr_in from{};
  socklen_t flen = sizeof from;
  int count = 0;
  for (;;) {
    ssize_t n = recvfrom(in_, buf_, sizeof buf_, 0, reinterpret_cast<sockaddr*>(&from), &flen);
    if (n <= 0) break;
    ++count;
  }
  return count;
}

std::string recvLine(int fd) {
  std::string line;
  char c;
  while (recv(fd, &c, 1, 0) > 0 && c != '\n') line.push_back(c);
  return line;
}

long long countBytes(int fd) {
  long long total = 0;
  char chunk[2048];
  while (true) {
    ssize_t got = recv(fd, chunk, sizeof chunk, 0);  // expect: errorshield-unchecked-read
    if (got == -1) {
      if (errno == EINTR) continue;
      break;
    }
    total += got;
  }
  return total;
}

bool recvExact(int fd, void* dst, std::size_t len) {
  auto* p = static_cast<char*>(dst);
  while (len > 0) {
    ssize_t r = recv(fd, p, len, MSG_WAITALL);
    if (r <= 0) return false;
    p += r;
    len -= static_cast<std::size_t>(r);
  }
  return true;
}

void peekDiscard(int fd) {
  char tmp[64];
  recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);  // expect: errorshield-unchecked-read
}

bool pollControlByte(int fd, char& out) {
  ssize_t n = read(fd, &out, 1);
  if (n > 0) return true;
  return false;
}

void recvMessages(int fd, void (*dispatch)(const char*, std::size_t)) {
  char data[1500];
  for (;;) {
    iovec iov{data, sizeof data};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    ssize_t n = recvmsg(fd, &msg, 0);  // expect: errorshield-unchecked-read
    if (n == -1) break;
    dispatch(data, static_cast<std::size_t>(n));
  }
}

// ---- stdio ------------------------------------------------------------------

struct Config {
  std::vector<std::string> lines;
};

bool loadConfig(const char* path, Config& cfg) {
  FILE* f = std::fopen(path, "r");
  if (!f) return false;
  char line[512];
  while (std::fgets(line, sizeof line, f)) cfg.lines.emplace_back(line);
  std::fclose(f);
  return true;
}

std::string firstLine(FILE* f) {
  char line[256] = {};
  fgets(line, sizeof line, f);  // expect: errorshield-unchecked-read
  return line;
}

bool readBlob(FILE* f, FrameHeader& h) {
  if (fread(&h, 1, sizeof h, f) != 0) return h.magic == 0xfeedu;  // expect: errorshield-unchecked-read
  return false;
}

bool readRecord(FILE* f, FrameHeader& h) {
  return std::fread(&h, sizeof h, 1, f) == 1;
}

std::size_t copyStream(FILE* in, FILE* out) {
  char chunk[8192];
  std::size_t n, total = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, in)) > 0) total += std::fwrite(chunk, 1, n, out);
  return total;
}

void skipBom(FILE* f) {
  unsigned char bom[3];
  std::fread(bom, 1, 3, f);  // expect: errorshield-unchecked-read
}

std::size_t countLines(FILE* f) {
  char* line = nullptr;
  std::size_t cap = 0;
  std::size_t lines = 0;
  while (getline(&line, &cap, f) > 0) ++lines;
  std::free(line);
  return lines;
}

void skipHeaderLine(FILE* f) {
  char* line = nullptr;
  std::size_t cap = 0;
  getline(&line, &cap, f);  // expect: errorshield-unchecked-read
  std::free(line);
}

std::string readFirstLineStd(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

}  // namespace relay
