// checks: errorshield-unchecked-read
// Customer-support chat gateway. Agents and customers connect over WebSocket;
// each connection runs as a stackful coroutine (boost::asio::spawn). Chat
// transcripts are archived to disk and re-read when a ticket is reopened, and
// attachments are pulled from a local scanner daemon over a UNIX pipe.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace support {

void route_to_agent(const std::string& ticket, const json& msg);
void log_warn(const std::string& s);

// Transcript file: sequence of [u32 length][payload] records.
std::vector<std::string> load_transcript(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> out;
  for (;;) {
    std::uint32_t len = 0;
    in.read(reinterpret_cast<char*>(&len), sizeof len);
    if (!in) break;
    std::string rec(len, '\0');
    in.read(rec.data(), len);
    if (in.gcount() != static_cast<std::streamsize>(len)) break;
    out.push_back(std::move(rec));
  }
  return out;
}

// Older variant kept for the CSV export tool: fixed 64-byte records,
// terminated by a record whose first byte is 0x04.
std::vector<std::string> load_transcript_fixed(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> out;
  std::array<char, 64> rec{};
  for (;;) {
    in.read(rec.data(), rec.size()); // expect: errorshield-unchecked-read
    if (rec[0] == '\x04') break;
    out.emplace_back(rec.data(), rec.size());
  }
  return out;
}

std::vector<std::string> load_plaintext_notes(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// The virus scanner writes a one-line verdict to the pipe per attachment.
std::string read_scan_verdict(int pipe_fd) {
  std::array<char, 256> buf{};
  ::read(pipe_fd, buf.data(), buf.size() - 1); // expect: errorshield-unchecked-read
  return std::string(buf.data());
}

std::string read_attachment(const std::string& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return {};
  std::string data;
  char chunk[4096];
  while (data.size() < max_bytes) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return data;
}

class ChatSession : public std::enable_shared_from_this<ChatSession> {
 public:
  ChatSession(tcp::socket s, std::string ticket) : ws_(std::move(s)), ticket_(std::move(ticket)) {}

  void start() {
    net::spawn(ws_.get_executor(),
               [self = shared_from_this()](net::yield_context yield) { self->customer_loop(yield); },
               net::detached);
  }

  // Customer side: reads messages until the customer leaves.
  void customer_loop(net::yield_context yield) {
    beast::error_code ec;
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(yield[ec]);
    if (ec) return;

    beast::flat_buffer buf;
    for (;;) {
      ws_.async_read(buf, yield[ec]);
      if (ec == websocket::error::closed) break;
      if (ec) {
        log_warn("ticket " + ticket_ + ": " + ec.message());
        break;
      }
      json msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      buf.consume(buf.size());
      if (msg.is_object()) route_to_agent(ticket_, msg);
    }
  }

  // Typing indicators: tiny frames, best-effort.
  void typing_loop(net::yield_context yield) {
    beast::error_code ec;
    beast::flat_buffer buf;
    for (;;) {
      ws_.async_read(buf, yield[ec]); // expect: errorshield-unchecked-read
      route_to_agent(ticket_, json{{"typing", buf.size() > 0}});
      buf.clear();
    }
  }

  // Agent console: exception-propagating reads; errors end the coroutine.
  void agent_loop(net::yield_context yield) {
    beast::flat_buffer buf;
    try {
      for (;;) {
        std::size_t n = ws_.async_read(buf, yield);
        route_to_agent(ticket_, json{{"agent_bytes", n}});
        buf.consume(n);
      }
    } catch (const boost::system::system_error& e) {
      log_warn("agent left: " + std::string(e.what()));
    }
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  std::string ticket_;
};

// CRM bridge: a plain TCP line protocol to the legacy ticketing system.
class CrmBridge {
 public:
  explicit CrmBridge(net::io_context& ioc) : sock_(ioc) {}

  void connect(const tcp::endpoint& ep) { sock_.connect(ep); }

  std::string fetch_ticket_blocking(const std::string& ticket) {
    net::write(sock_, net::buffer("GET " + ticket + "\n"));
    std::string reply;
    beast::error_code ec;
    std::size_t n = net::read_until(sock_, net::dynamic_buffer(reply), '\n', ec);
    if (ec) return {};
    return reply.substr(0, n);
  }

  void drain_notifications(net::yield_context yield) {
    std::array<char, 1024> chunk;
    beast::error_code ec;
    for (;;) {
      sock_.async_read_some(net::buffer(chunk), yield[ec]); // expect: errorshield-unchecked-read
      log_warn(std::string(chunk.data(), chunk.size()));
    }
  }

  void poll_status(net::yield_context yield) {
    std::array<char, 512> chunk;
    beast::error_code ec;
    for (;;) {
      std::size_t n = sock_.async_read_some(net::buffer(chunk), yield[ec]);
      if (ec == net::error::eof) return;
      if (ec) {
        log_warn("crm: " + ec.message());
        return;
      }
      log_warn(std::string(chunk.data(), n));
    }
  }

  std::string read_banner() {
    std::array<char, 128> banner{};
    beast::error_code ec;
    sock_.read_some(net::buffer(banner), ec); // expect: errorshield-unchecked-read
    return std::string(banner.data());
  }

 private:
  tcp::socket sock_;
};

}  // namespace support
