// checks: errorshield-unchecked-read
// Tide gauge telemetry collector: coastal stations push NMEA-style lines over
// TCP, a few legacy gauges hang off RS-232 serial ports or a raw fd from the
// modem bridge. Samples are stored and exposed to the forecasting service.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unistd.h>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using boost::system::error_code;

namespace tides {

struct Sample {
  std::string station;
  double level_m = 0.0;
  double water_temp_c = 0.0;
  std::int64_t epoch_s = 0;
};

class SampleStore {
public:
  void add(Sample s) {
    std::lock_guard lk(mu_);
    by_station_[s.station].push_back(std::move(s));
  }
  json latest(const std::string& station) {
    std::lock_guard lk(mu_);
    auto it = by_station_.find(station);
    if (it == by_station_.end() || it->second.empty()) return nullptr;
    const auto& s = it->second.back();
    return {{"level_m", s.level_m}, {"temp_c", s.water_temp_c}, {"t", s.epoch_s}};
  }

private:
  std::mutex mu_;
  std::map<std::string, std::vector<Sample>> by_station_;
};

// "$TIDE,<station>,<level_m>,<temp_c>,<epoch>"
inline bool parse_line(const std::string& line, Sample& out) {
  char station[32] = {};
  double lvl = 0, tmp = 0;
  long long t = 0;
  if (std::sscanf(line.c_str(), "$TIDE,%31[^,],%lf,%lf,%lld", station, &lvl, &tmp, &t) != 4) return false;
  out = Sample{station, lvl, tmp, t};
  return true;
}

// Modern stations: one TCP connection per station, raw chunks.
class StationLink : public std::enable_shared_from_this<StationLink> {
public:
  StationLink(tcp::socket s, SampleStore& store) : sock_(std::move(s)), store_(store) {}

  void start() { read_chunk(); }

private:
  void read_chunk() {
    sock_.async_read_some(asio::buffer(chunk_), [self = shared_from_this()](error_code, std::size_t n) { // expect: errorshield-unchecked-read
      self->pending_.append(self->chunk_.data(), n);
      self->drain_lines();
      self->read_chunk();
    });
  }

  void drain_lines() {
    for (auto pos = pending_.find('\n'); pos != std::string::npos; pos = pending_.find('\n')) {
      Sample s;
      if (parse_line(pending_.substr(0, pos), s)) store_.add(std::move(s));
      pending_.erase(0, pos + 1);
    }
  }

  tcp::socket sock_;
  SampleStore& store_;
  std::array<char, 1024> chunk_{};
  std::string pending_;
};

// Line-oriented link used by the buoy-mounted gauges (satellite modem).
template <class AsyncStream>
class LineReader {
public:
  LineReader(AsyncStream& s, SampleStore& store) : stream_(s), store_(store) {}

  void read_line() {
    asio::async_read_until(stream_, asio::dynamic_buffer(buf_), '\n', [this](error_code ec, std::size_t n) { // expect: errorshield-unchecked-read
      std::string line = buf_.substr(0, n);
      buf_.erase(0, n);
      Sample s;
      if (parse_line(line, s)) store_.add(std::move(s));
      read_line();
    });
  }

  void read_line_checked() {
    asio::async_read_until(stream_, asio::dynamic_buffer(buf_), '\n', [this](error_code ec, std::size_t n) {
      if (ec == asio::error::eof) {
        std::cerr << "buoy link closed\n";
        return;
      }
      if (ec) {
        std::cerr << "buoy link error: " << ec.message() << "\n";
        return;
      }
      std::string line = buf_.substr(0, n);
      buf_.erase(0, n);
      Sample s;
      if (parse_line(line, s)) store_.add(std::move(s));
      read_line_checked();
    });
  }

private:
  AsyncStream& stream_;
  SampleStore& store_;
  std::string buf_;
};

// Harbour master gauges speak over a coroutine-driven TCP session.
asio::awaitable<void> harbour_session(tcp::socket sock, SampleStore& store) {
  std::array<char, 512> chunk{};
  std::string pending;
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable)); // expect: errorshield-unchecked-read
    pending.append(chunk.data(), n);
    if (auto pos = pending.find('\n'); pos != std::string::npos) {
      Sample s;
      if (parse_line(pending.substr(0, pos), s)) store.add(std::move(s));
      pending.erase(0, pos + 1);
    }
  }
}

asio::awaitable<void> harbour_session_v2(tcp::socket sock, SampleStore& store) {
  std::string pending;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(sock, asio::dynamic_buffer(pending), '\n',
                                                   asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    Sample s;
    if (parse_line(pending.substr(0, n), s)) store.add(std::move(s));
    pending.erase(0, n);
  }
}

// Legacy RS-232 gauge, polled from a stackful coroutine.
void poll_serial(asio::serial_port& port, SampleStore& store, asio::yield_context yield) {
  std::string pending;
  for (;;) {
    error_code ec;
    std::size_t n = asio::async_read_until(port, asio::dynamic_buffer(pending), '\n', yield[ec]); // expect: errorshield-unchecked-read
    Sample s;
    if (parse_line(pending.substr(0, n), s)) store.add(std::move(s));
    pending.erase(0, n);
  }
}

void poll_serial_checked(asio::serial_port& port, SampleStore& store, asio::yield_context yield) {
  std::string pending;
  for (;;) {
    error_code ec;
    std::size_t n = asio::async_read_until(port, asio::dynamic_buffer(pending), '\n', yield[ec]);
    if (ec) {
      std::cerr << "serial: " << ec.message() << "\n";
      return;
    }
    Sample s;
    if (parse_line(pending.substr(0, n), s)) store.add(std::move(s));
    pending.erase(0, n);
  }
}

// Modem bridge hands us a raw, blocking file descriptor.
void pump_modem_fd(int fd, SampleStore& store) {
  char buf[256];
  std::string pending;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf); // expect: errorshield-unchecked-read
    pending.append(buf, static_cast<std::size_t>(n));
    if (auto pos = pending.find('\n'); pos != std::string::npos) {
      Sample s;
      if (parse_line(pending.substr(0, pos), s)) store.add(std::move(s));
      pending.erase(0, pos + 1);
    }
  }
}

void pump_modem_fd_checked(int fd, SampleStore& store) {
  char buf[256];
  std::string pending;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("modem read");
      break;
    }
    pending.append(buf, static_cast<std::size_t>(n));
  }
}

// One-shot config fetch from a station at start-up; errors propagate as
// exceptions and abort the fetch.
std::string fetch_station_config(tcp::socket& sock) {
  std::string cfg;
  asio::read_until(sock, asio::dynamic_buffer(cfg), "\n\n");
  return cfg;
}

} // namespace tides

int main(int argc, char**) {
  asio::io_context ioc;
  tides::SampleStore store;
  tcp::acceptor acc(ioc, {tcp::v4(), 5700});
  std::function<void()> accept = [&] {
    acc.async_accept([&](error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<tides::StationLink>(std::move(s), store)->start();
      accept();
    });
  };
  accept();

  asio::serial_port port(ioc);
  asio::spawn(ioc, [&](asio::yield_context y) { tides::poll_serial_checked(port, store, y); }, asio::detached);

  tcp::socket buoy(ioc);
  tides::LineReader<tcp::socket> reader(buoy, store);
  if (argc > 1)
    reader.read_line();
  else
    reader.read_line_checked();
  ioc.run();
}
