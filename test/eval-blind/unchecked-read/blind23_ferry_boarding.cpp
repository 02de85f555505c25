// checks: errorshield-unchecked-read
// Ferry terminal boarding-gate service: scanners at each gate push barcode
// lines over TCP, the supervisor dashboard talks WebSocket, and a serial
// bridge feeds the legacy turnstile counters.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

struct BoardingLedger {
  std::mutex mu;
  std::map<std::string, int> boarded_per_sailing;
  std::atomic<int> rejected{0};

  bool record(const std::string &line) {
    auto sep = line.find('|');
    if (sep == std::string::npos) {
      ++rejected;
      return false;
    }
    std::lock_guard<std::mutex> lk(mu);
    ++boarded_per_sailing[line.substr(0, sep)];
    return true;
  }
};

static bool report(beast::error_code ec, const char *what) {
  if (!ec)
    return false;
  if (ec != net::error::eof && ec != net::error::operation_aborted)
    std::cerr << what << ": " << ec.message() << "\n";
  return true;
}

// ---------------------------------------------------------------------------
// Gate scanner link (one line per scanned ticket: "<sailing>|<ticket>\n")
class GateScanner : public std::enable_shared_from_this<GateScanner> {
public:
  GateScanner(tcp::socket s, BoardingLedger &ledger, int gate)
      : sock_(std::move(s)), ledger_(ledger), gate_(gate) {}

  void start() { read_line(); }

private:
  void read_line() {
    auto self = shared_from_this();
    net::async_read_until(sock_, buf_, '\n', [self](boost::system::error_code, std::size_t n) { // expect: errorshield-unchecked-read
      std::string line(net::buffers_begin(self->buf_.data()),
                       net::buffers_begin(self->buf_.data()) + n);
      self->buf_.consume(n);
      if (!line.empty() && line.back() == '\n')
        line.pop_back();
      self->ledger_.record(line);
      self->read_line();
    });
  }

  tcp::socket sock_;
  net::streambuf buf_;
  BoardingLedger &ledger_;
  int gate_;
};

// Newer scanners (gates 20+) use the same framing but report their battery
// state after each scan, so we keep them on a separate session type.
class SmartGateScanner : public std::enable_shared_from_this<SmartGateScanner> {
public:
  SmartGateScanner(tcp::socket s, BoardingLedger &ledger)
      : sock_(std::move(s)), ledger_(ledger) {}

  void start() { read_line(); }

private:
  void read_line() {
    net::async_read_until(
        sock_, buf_, '\n',
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec) {
            if (ec != net::error::eof)
              std::cerr << "smart gate: " << ec.message() << "\n";
            return;
          }
          std::istream is(&self->buf_);
          std::string line;
          std::getline(is, line);
          (void)n;
          self->ledger_.record(line);
          self->read_line();
        });
  }

  tcp::socket sock_;
  net::streambuf buf_;
  BoardingLedger &ledger_;
};

// ---------------------------------------------------------------------------
// Supervisor dashboard (WebSocket, coroutine based)
net::awaitable<void> supervisor_session(websocket::stream<beast::tcp_stream> ws,
                                        BoardingLedger &ledger) {
  co_await ws.async_accept(net::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    beast::error_code ec;
    co_await ws.async_read(buf, net::redirect_error(net::use_awaitable, ec)); // expect: errorshield-unchecked-read
    auto cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    json reply;
    if (cmd.is_object() && cmd.value("op", "") == "rejected")
      reply["rejected"] = ledger.rejected.load();
    ws.text(true);
    co_await ws.async_write(net::buffer(reply.dump()), net::use_awaitable);
  }
}

// Read-only wallboard at the ticket office; same protocol, exceptions on error.
net::awaitable<void> wallboard_session(websocket::stream<beast::tcp_stream> ws,
                                       BoardingLedger &ledger) {
  try {
    co_await ws.async_accept(net::use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
      co_await ws.async_read(buf, net::use_awaitable);
      buf.consume(buf.size());
      json snap;
      {
        std::lock_guard<std::mutex> lk(ledger.mu);
        snap = ledger.boarded_per_sailing;
      }
      co_await ws.async_write(net::buffer(snap.dump()), net::use_awaitable);
    }
  } catch (const boost::system::system_error &e) {
    if (e.code() != websocket::error::closed)
      std::cerr << "wallboard: " << e.what() << "\n";
  }
}

// ---------------------------------------------------------------------------
// Manifest upload from the purser's handheld (HTTP, templated on stream type so
// the same code runs over plain TCP in the yard and TLS on the pier).
template <class Stream>
class ManifestReceiver {
public:
  ManifestReceiver(Stream &stream, BoardingLedger &ledger)
      : stream_(stream), ledger_(ledger) {}

  void read_next() {
    req_ = {};
    http::async_read(stream_, buf_, req_, [this](beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
      for (auto pos = req_.body().find('\n'); pos != std::string::npos;
           pos = req_.body().find('\n')) {
        ledger_.record(req_.body().substr(0, pos));
        req_.body().erase(0, pos + 1);
      }
      read_next();
    });
  }

  void read_checked() {
    req_ = {};
    http::async_read(stream_, buf_, req_,
                     [this](beast::error_code ec, std::size_t) {
                       if (report(ec, "manifest"))
                         return;
                       ledger_.record(req_.body());
                       read_checked();
                     });
  }

private:
  Stream &stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  BoardingLedger &ledger_;
};

template class ManifestReceiver<beast::tcp_stream>;

// ---------------------------------------------------------------------------
// Blocking helpers used by the maintenance thread.
std::string poll_gate_status(tcp::socket &sock) {
  boost::system::error_code ec;
  net::write(sock, net::buffer(std::string("STATUS\r\n")), ec);
  if (ec)
    return {};
  net::streambuf sb;
  std::size_t n = net::read_until(sock, sb, "\r\n", ec); // expect: errorshield-unchecked-read
  std::string reply(net::buffers_begin(sb.data()), net::buffers_begin(sb.data()) + n);
  return reply;
}

std::string poll_gate_firmware(tcp::socket &sock) {
  boost::system::error_code ec;
  net::write(sock, net::buffer(std::string("FW\r\n")), ec);
  if (ec)
    return {};
  net::streambuf sb;
  std::size_t n = net::read_until(sock, sb, "\r\n", ec);
  if (ec == net::error::eof || ec)
    return {};
  return std::string(net::buffers_begin(sb.data()), net::buffers_begin(sb.data()) + n);
}

// Turnstile counter bridge: the RS-485 adapter shows up as a plain fd.
void pump_turnstile_counts(int fd, BoardingLedger &ledger) {
  std::string pending;
  char raw[256];
  for (;;) {
    ssize_t n = ::read(fd, raw, sizeof raw); // expect: errorshield-unchecked-read
    pending.append(raw, static_cast<std::size_t>(n));
    for (auto pos = pending.find('\n'); pos != std::string::npos; pos = pending.find('\n')) {
      ledger.record(pending.substr(0, pos));
      pending.erase(0, pos + 1);
    }
  }
}

void pump_vehicle_deck_counts(int fd, BoardingLedger &ledger) {
  std::string pending;
  char raw[256];
  for (;;) {
    ssize_t n = ::read(fd, raw, sizeof raw);
    if (n <= 0)
      break;
    pending.append(raw, static_cast<std::size_t>(n));
    auto pos = pending.find('\n');
    if (pos != std::string::npos) {
      ledger.record("VEH|" + pending.substr(0, pos));
      pending.erase(0, pos + 1);
    }
  }
  ::close(fd);
}

// ---------------------------------------------------------------------------
net::awaitable<void> accept_gates(tcp::acceptor acc, BoardingLedger &ledger) {
  int gate = 0;
  for (;;) {
    auto sock = co_await acc.async_accept(net::use_awaitable);
    ++gate;
    if (gate >= 20)
      std::make_shared<SmartGateScanner>(std::move(sock), ledger)->start();
    else
      std::make_shared<GateScanner>(std::move(sock), ledger, gate)->start();
  }
}

int main() {
  net::io_context ioc;
  BoardingLedger ledger;
  net::co_spawn(ioc, accept_gates(tcp::acceptor(ioc, {tcp::v4(), 7300}), ledger),
                net::detached);
  ioc.run();
}
