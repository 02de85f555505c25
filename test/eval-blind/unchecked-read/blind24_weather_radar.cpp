// checks: errorshield-unchecked-read
// Radar sweep ingest: each radar site streams sweeps (a fixed header followed
// by range-gate data) over TCP; the ingest node reassembles them and hands
// complete sweeps to the mosaic builder. Local radars on the same host write
// to a FIFO instead.
#include <boost/asio.hpp>
#include <array>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using boost::system::error_code;

namespace radar {

#pragma pack(push, 1)
struct SweepHeader {
  char site[4];
  std::uint16_t elevation_cdeg;
  std::uint16_t azimuth_count;
  std::uint32_t gates_bytes;
};
#pragma pack(pop)

void publish_sweep(const SweepHeader &h, const std::vector<std::uint8_t> &gates);
void log_site(const std::string &site, const std::string &msg);

// Site connection using completion callbacks.
class SiteLink : public std::enable_shared_from_this<SiteLink> {
public:
  explicit SiteLink(tcp::socket s) : sock_(std::move(s)) {}
  void start() { read_header(); }

private:
  void read_header() {
    asio::async_read(sock_, asio::buffer(&hdr_, sizeof hdr_), [self = shared_from_this()](error_code, std::size_t) { // expect: errorshield-unchecked-read
      self->gates_.resize(self->hdr_.gates_bytes);
      self->read_gates();
    });
  }

  void read_gates() {
    asio::async_read(sock_, asio::buffer(gates_), [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) {
        log_site(std::string(self->hdr_.site, 4), "link lost: " + ec.message());
        return;
      }
      publish_sweep(self->hdr_, self->gates_);
      self->read_header();
    });
  }

  tcp::socket sock_;
  SweepHeader hdr_{};
  std::vector<std::uint8_t> gates_;
};

// Sites that send a text status line before each sweep.
template <class Stream>
class StatusLineReader {
public:
  explicit StatusLineReader(Stream &s) : s_(s) {}

  void next() {
    asio::async_read_until(s_, asio::dynamic_buffer(line_), '\n', [this](error_code ec, std::size_t n) { // expect: errorshield-unchecked-read
      status_ = line_.substr(0, n);
      line_.erase(0, n);
      next();
    });
  }

  const std::string &status() const { return status_; }

private:
  Stream &s_;
  std::string line_;
  std::string status_;
};

// Old Doppler sites expose the status feed on a plain TCP socket.
template class StatusLineReader<tcp::socket>;

// Coroutine path for the newer dual-pol sites.
awaitable<void> dualpol_site(tcp::socket sock) {
  for (;;) {
    SweepHeader h{};
    error_code ec;
    co_await asio::async_read(sock, asio::buffer(&h, sizeof h), asio::redirect_error(use_awaitable, ec)); // expect: errorshield-unchecked-read
    std::vector<std::uint8_t> gates(h.gates_bytes);
    auto [ec2, n] = co_await asio::async_read(sock, asio::buffer(gates), asio::as_tuple(use_awaitable));
    if (ec2)
      co_return;
    gates.resize(n);
    publish_sweep(h, gates);
  }
}

awaitable<void> legacy_site(tcp::socket sock) {
  try {
    for (;;) {
      SweepHeader h{};
      co_await asio::async_read(sock, asio::buffer(&h, sizeof h), use_awaitable);
      std::vector<std::uint8_t> gates(h.gates_bytes);
      co_await asio::async_read(sock, asio::buffer(gates), use_awaitable);
      publish_sweep(h, gates);
    }
  } catch (const boost::system::system_error &e) {
    log_site("LEG?", e.what());
  }
}

// Calibration dump from the maintenance port: blocking, on its own thread.
std::vector<std::uint8_t> pull_calibration(tcp::socket &sock) {
  std::vector<std::uint8_t> out;
  std::array<std::uint8_t, 4096> chunk{};
  error_code ec;
  while (out.size() < 65536) {
    std::size_t n = sock.read_some(asio::buffer(chunk), ec); // expect: errorshield-unchecked-read
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
  }
  return out;
}

std::vector<std::uint8_t> pull_calibration_checked(tcp::socket &sock) {
  std::vector<std::uint8_t> out;
  std::array<std::uint8_t, 4096> chunk{};
  for (;;) {
    error_code ec;
    std::size_t n = sock.read_some(asio::buffer(chunk), ec);
    if (ec == asio::error::eof)
      break;
    if (ec)
      throw boost::system::system_error(ec);
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
  }
  return out;
}

// Local radar on the same host writes sweeps into a named pipe.
void drain_fifo(const char *path) {
  int fd = ::open(path, O_RDONLY);
  if (fd < 0)
    return;
  SweepHeader h{};
  for (;;) {
    ::read(fd, &h, sizeof h); // expect: errorshield-unchecked-read
    std::vector<std::uint8_t> gates(h.gates_bytes);
    ssize_t got = ::read(fd, gates.data(), gates.size());
    if (got <= 0)
      break;
    gates.resize(static_cast<std::size_t>(got));
    publish_sweep(h, gates);
  }
  ::close(fd);
}

std::size_t read_site_banner(tcp::socket &sock, std::string &banner) {
  error_code ec;
  std::size_t n = asio::read_until(sock, asio::dynamic_buffer(banner), "\r\n", ec);
  if (ec && ec != asio::error::eof)
    return 0;
  return n;
}

void accept_loop(tcp::acceptor &acc) {
  acc.async_accept([&acc](error_code ec, tcp::socket s) {
    if (!ec) {
      std::string banner;
      if (read_site_banner(s, banner) > 0 && banner.rfind("DP", 0) == 0)
        asio::co_spawn(acc.get_executor(), dualpol_site(std::move(s)), asio::detached);
      else
        std::make_shared<SiteLink>(std::move(s))->start();
    }
    accept_loop(acc);
  });
}

} // namespace radar
