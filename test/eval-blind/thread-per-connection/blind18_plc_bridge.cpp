// checks: errorshield-thread-per-connection
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <fstream>
#include <future>
#include <limits>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace plcbridge {

struct PlcConfig {
  std::string name;
  std::string host;
  std::uint16_t port = 502;
  int poll_ms = 250;
};

struct BridgeConfig {
  std::uint16_t modbus_port = 502;
  std::uint16_t df1_port = 2222;
  std::uint16_t diag_port = 2323;
  std::uint16_t historian_port = 9100;
  unsigned io_threads = 2;
  unsigned historian_workers = 4;
  std::vector<PlcConfig> plcs;
};

inline BridgeConfig load_config(const std::string& path) {
  std::ifstream in(path);
  const json j = json::parse(in);
  BridgeConfig c;
  c.modbus_port = j.value("modbus_port", c.modbus_port);
  c.df1_port = j.value("df1_port", c.df1_port);
  c.diag_port = j.value("diag_port", c.diag_port);
  c.historian_port = j.value("historian_port", c.historian_port);
  c.io_threads = j.value("io_threads", c.io_threads);
  c.historian_workers = j.value("historian_workers", c.historian_workers);
  for (const auto& p : j.value("plcs", json::array()))
    c.plcs.push_back({p.at("name"), p.at("host"), p.value("port", std::uint16_t{502}), p.value("poll_ms", 250)});
  return c;
}

// Holding-register image shared by all front ends.
class TagTable {
 public:
  std::uint16_t read(std::uint16_t addr) {
    std::lock_guard lock(mu_);
    auto it = regs_.find(addr);
    return it == regs_.end() ? 0 : it->second;
  }
  void write(std::uint16_t addr, std::uint16_t v) {
    std::lock_guard lock(mu_);
    regs_[addr] = v;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::uint16_t, std::uint16_t> regs_;
};

// Function 0x03 (read holding registers) and 0x06 (write single register).
inline std::vector<std::uint8_t> modbus_reply(TagTable& tags, const std::uint8_t* adu, std::size_t len) {
  std::vector<std::uint8_t> out(adu, adu + 8);
  const std::uint8_t fn = adu[7];
  const std::uint16_t addr = std::uint16_t(adu[8] << 8 | adu[9]);
  const std::uint16_t arg = std::uint16_t(adu[10] << 8 | adu[11]);
  if (fn == 0x03 && len >= 12 && arg <= 125) {
    out.push_back(std::uint8_t(arg * 2));
    for (std::uint16_t i = 0; i < arg; ++i) {
      const std::uint16_t v = tags.read(std::uint16_t(addr + i));
      out.push_back(std::uint8_t(v >> 8));
      out.push_back(std::uint8_t(v & 0xff));
    }
  } else if (fn == 0x06 && len >= 12) {
    tags.write(addr, arg);
    out.insert(out.end(), adu + 8, adu + 12);
  } else {
    out[7] = std::uint8_t(fn | 0x80);
    out.push_back(0x01);  // illegal function
  }
  const std::uint16_t mbap_len = std::uint16_t(out.size() - 6);
  out[4] = std::uint8_t(mbap_len >> 8);
  out[5] = std::uint8_t(mbap_len & 0xff);
  return out;
}

// ---------------------------------------------------------------------------
// Modbus/TCP front end used by the SCADA masters.

class ModbusGateway {
 public:
  ModbusGateway(net::io_context& ioc, std::uint16_t port, TagTable& tags)
      : acceptor_(ioc, tcp::endpoint(tcp::v4(), port)), tags_(tags) {}

  void serve_forever() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket sock = acceptor_.accept(ec);
      if (ec) continue;
      std::thread(&ModbusGateway::serve_client, this, std::move(sock)).detach(); // expect: errorshield-thread-per-connection
    }
  }

 private:
  void serve_client(tcp::socket sock) {
    std::uint8_t adu[260];
    boost::system::error_code ec;
    for (;;) {
      net::read(sock, net::buffer(adu, 7), ec);
      if (ec) return;
      const std::size_t rest = std::size_t(adu[4] << 8 | adu[5]) - 1;
      if (rest < 5 || rest > sizeof(adu) - 7) return;
      net::read(sock, net::buffer(adu + 7, rest), ec);
      if (ec) return;
      net::write(sock, net::buffer(modbus_reply(tags_, adu, 7 + rest)), ec);
      if (ec) return;
    }
  }

  tcp::acceptor acceptor_;
  TagTable& tags_;
};

// ---------------------------------------------------------------------------
// Allen-Bradley DF1 over TCP for the 1990s panel terminals on line 3.

struct Df1Client {
  int fd;
  TagTable* tags;
};

extern "C" void* df1_client_main(void* arg) {
  auto* c = static_cast<Df1Client*>(arg);
  unsigned char frame[264];
  ssize_t n;
  while ((n = ::recv(c->fd, frame, sizeof(frame), 0)) > 0) {
    if (frame[0] == 0x10 && n >= 6)  // DLE STX ... : ack and ignore payload
      ::send(c->fd, "\x10\x06", 2, MSG_NOSIGNAL);
  }
  ::close(c->fd);
  delete c;
  return nullptr;
}

inline void run_df1_listener(std::uint16_t port, TagTable& tags, const std::atomic<bool>& stop) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) < 0 || ::listen(lfd, 16) < 0) {
    ::close(lfd);
    return;
  }
  while (!stop.load()) {
    int fd = ::accept(lfd, nullptr, nullptr);
    if (fd < 0) continue;
    pthread_t tid;
    auto* client = new Df1Client{fd, &tags};
    if (pthread_create(&tid, nullptr, &df1_client_main, client) != 0) { // expect: errorshield-thread-per-connection
      ::close(fd);
      delete client;
      continue;
    }
    pthread_detach(tid);
  }
  ::close(lfd);
}

// ---------------------------------------------------------------------------
// Maintenance console (line-oriented "get 40001" / "set 40001 7").

class DiagConsole {
 public:
  DiagConsole(net::io_context& ioc, std::uint16_t port, TagTable& tags)
      : acceptor_(ioc, tcp::endpoint(tcp::v4(), port)), tags_(tags) {}

  void start() { do_accept(); }

 private:
  void do_accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket sock) {
      if (!ec) {
        std::lock_guard lock(mu_);
        sessions_.emplace_back([this, s = std::move(sock)]() mutable { serve(std::move(s)); }); // expect: errorshield-thread-per-connection
      }
      do_accept();
    });
  }

  void serve(tcp::socket sock) {
    net::streambuf buf;
    boost::system::error_code ec;
    while (net::read_until(sock, buf, '\n', ec) && !ec) {
      std::istream is(&buf);
      std::string verb;
      unsigned addr = 0, value = 0;
      is >> verb >> addr;
      std::string reply;
      if (verb == "get") {
        reply = std::to_string(tags_.read(std::uint16_t(addr))) + "\r\n";
      } else if (verb == "set" && (is >> value)) {
        tags_.write(std::uint16_t(addr), std::uint16_t(value));
        reply = "ok\r\n";
      } else {
        reply = "?\r\n";
      }
      is.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
      net::write(sock, net::buffer(reply), ec);
      if (ec) break;
    }
  }

  tcp::acceptor acceptor_;
  TagTable& tags_;
  std::mutex mu_;
  std::list<std::jthread> sessions_;
};

// ---------------------------------------------------------------------------
// Historian: live tag stream (pooled) and bulk CSV export.

class Historian {
 public:
  Historian(net::io_context& ioc, const BridgeConfig& cfg, TagTable& tags)
      : live_(ioc, tcp::endpoint(tcp::v4(), cfg.historian_port)),
        bulk_(ioc, tcp::endpoint(tcp::v4(), std::uint16_t(cfg.historian_port + 1))),
        pool_(cfg.historian_workers),
        tags_(tags) {}

  void accept_live() {
    for (;;) {
      tcp::socket sock = live_.accept();
      net::post(pool_, [this, s = std::make_shared<tcp::socket>(std::move(sock))] { stream_tags(*s); });
    }
  }

  void accept_bulk() {
    for (;;) {
      tcp::socket sock = bulk_.accept();
      spawn_export(std::move(sock));
      reap();
    }
  }

 private:
  void spawn_export(tcp::socket sock) {
    exports_.push_back(std::async(std::launch::async, [this, s = std::move(sock)]() mutable { export_csv(s); })); // expect: errorshield-thread-per-connection
  }

  void reap() {
    std::erase_if(exports_, [](std::future<void>& f) {
      return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
  }

  void stream_tags(tcp::socket& s) {
    boost::system::error_code ec;
    for (std::uint16_t a = 0; a < 64 && !ec; ++a)
      net::write(s, net::buffer(std::to_string(a) + "=" + std::to_string(tags_.read(a)) + "\n"), ec);
  }

  void export_csv(tcp::socket& s) {
    std::string csv = "addr,value\n";
    for (std::uint16_t a = 0; a < 4096; ++a) csv += std::to_string(a) + "," + std::to_string(tags_.read(a)) + "\n";
    boost::system::error_code ec;
    net::write(s, net::buffer(csv), ec);
  }

  tcp::acceptor live_;
  tcp::acceptor bulk_;
  net::thread_pool pool_;
  TagTable& tags_;
  std::vector<std::future<void>> exports_;
};

// ---------------------------------------------------------------------------
// Process wiring: I/O threads, one poller per configured PLC, watchdog.

class Bridge {
 public:
  explicit Bridge(const std::string& config_path) : cfg_(load_config(config_path)) {}

  void start() {
    for (unsigned i = 0; i < cfg_.io_threads; ++i) io_threads_.emplace_back([this] { ioc_.run(); });

    for (const PlcConfig& plc : cfg_.plcs)
      pollers_.emplace_back([this, plc](std::stop_token st) { poll_plc(plc, st); });

    watchdog_ = std::jthread([this](std::stop_token st) {
      while (!st.stop_requested()) {
        std::this_thread::sleep_for(std::chrono::seconds(5));
        heartbeat_.fetch_add(1);
      }
    });
  }

 private:
  void poll_plc(const PlcConfig& plc, std::stop_token st) {
    net::io_context local;
    tcp::socket sock(local);
    boost::system::error_code ec;
    while (!st.stop_requested()) {
      if (!sock.is_open()) {
        sock.connect(tcp::endpoint(net::ip::make_address(plc.host, ec), plc.port), ec);
        if (ec) sock.close();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(plc.poll_ms));
    }
  }

  BridgeConfig cfg_;
  net::io_context ioc_;
  TagTable tags_;
  std::vector<std::jthread> io_threads_;
  std::vector<std::jthread> pollers_;
  std::jthread watchdog_;
  std::atomic<std::uint64_t> heartbeat_{0};
};

}  // namespace plcbridge
