// checks: errorshield-unchecked-read
// Typesetting service: accepts render jobs over HTTP, runs the TeX engine in a
// child process, and keeps font metrics and hyphenation patterns in memory.
#include <boost/asio.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace typeset {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

// ---------------------------------------------------------------------------
// Font metrics (sfnt table directory).
std::uint16_t read_be16(std::istream& in) {
  unsigned char b[2] = {0, 0};
  in.read(reinterpret_cast<char*>(b), 2); // expect: errorshield-unchecked-read
  return static_cast<std::uint16_t>((b[0] << 8) | b[1]);
}

std::optional<std::uint32_t> read_be32(std::istream& in) {
  unsigned char b[4];
  if (!in.read(reinterpret_cast<char*>(b), 4)) return std::nullopt;
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

struct FontTables {
  std::map<std::string, std::uint32_t> offsets;
};

std::optional<FontTables> load_font_directory(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  auto version = read_be32(in);
  if (!version) return std::nullopt;
  std::uint16_t num_tables = read_be16(in);
  in.seekg(6, std::ios::cur);  // searchRange, entrySelector, rangeShift
  FontTables ft;
  for (std::uint16_t i = 0; i < num_tables; ++i) {
    char tag[4];
    if (!in.read(tag, 4)) return std::nullopt;
    auto checksum = read_be32(in);
    auto offset = read_be32(in);
    auto length = read_be32(in);
    if (!checksum || !offset || !length) return std::nullopt;
    ft.offsets.emplace(std::string(tag, 4), *offset);
  }
  return ft;
}

// ---------------------------------------------------------------------------
// Hyphenation: "\patterns{ ... }" style file, one pattern per line, closed by
// "\endpatterns", followed by an optional exceptions file.
class Hyphenator {
 public:
  void load_patterns(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    for (;;) {
      std::getline(in, line); // expect: errorshield-unchecked-read
      if (line == "\\endpatterns") break;
      if (line.empty() || line[0] == '%') continue;
      patterns_.push_back(line);
    }
  }

  bool load_exceptions(const std::string& path) {
    std::ifstream in(path);
    if (!in) return false;
    std::string word;
    while (in >> word) {
      std::string plain;
      for (char c : word)
        if (c != '-') plain.push_back(c);
      exceptions_[plain] = word;
    }
    return in.eof();
  }

  std::size_t pattern_count() const { return patterns_.size(); }

 private:
  std::vector<std::string> patterns_;
  std::map<std::string, std::string> exceptions_;
};

// ---------------------------------------------------------------------------
// Engine runner. Called from the render worker pool, never on the io_context.
struct EngineResult {
  int exit_code = -1;
  std::string log;
};

EngineResult run_engine(asio::io_context& ioc, const std::string& job_dir) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::chdir(job_dir.c_str());
    ::execlp("lualatex", "lualatex", "-interaction=nonstopmode", "main.tex", nullptr);
    ::_exit(127);
  }
  ::close(fds[1]);
  asio::posix::stream_descriptor pipe(ioc, fds[0]);

  EngineResult r;
  std::array<char, 2048> chunk{};
  boost::system::error_code ec;
  for (;;) {
    std::size_t n = pipe.read_some(asio::buffer(chunk), ec); // expect: errorshield-unchecked-read
    r.log.append(chunk.data(), n);
    if (r.log.find("Output written on") != std::string::npos ||
        r.log.find("no output PDF file produced") != std::string::npos)
      break;
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Reads what is left on the engine's stderr pipe after it exits.
std::string drain_stderr(asio::io_context& ioc, int fd) {
  asio::posix::stream_descriptor pipe(ioc, fd);
  std::string out;
  std::array<char, 1024> chunk{};
  for (;;) {
    boost::system::error_code ec;
    std::size_t n = pipe.read_some(asio::buffer(chunk), ec);
    out.append(chunk.data(), n);
    if (ec == asio::error::eof) break;
    if (ec) {
      out += "\n[stderr read failed: " + ec.message() + "]";
      break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// HTTP front end.
inline bool report(beast::error_code ec, const char* what) {
  if (!ec) return false;
  if (ec != http::error::end_of_stream && ec != asio::error::operation_aborted)
    std::cerr << what << ": " << ec.message() << "\n";
  return true;
}

class JobSession : public std::enable_shared_from_this<JobSession> {
 public:
  JobSession(tcp::socket s, asio::thread_pool& workers) : stream_(std::move(s)), workers_(workers) {}

  void start() { read_request(); }

 private:
  void read_request() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(60));
    http::async_read(stream_, buffer_, req_,
                     beast::bind_front_handler(&JobSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
    json job = json::parse(req_.body(), nullptr, false);
    if (job.is_discarded() || !job.contains("job_dir")) {
      send(http::status::bad_request, {{"error", "job_dir required"}});
      return;
    }
    std::string dir = job["job_dir"].get<std::string>();
    auto self = shared_from_this();
    asio::post(workers_, [self, dir] {
      asio::io_context local;
      EngineResult r = run_engine(local, dir);
      asio::post(self->stream_.get_executor(), [self, r] {
        self->send(r.exit_code == 0 ? http::status::ok : http::status::unprocessable_entity,
                   {{"exit_code", r.exit_code}, {"log_tail", r.log.substr(r.log.size() > 4000 ? r.log.size() - 4000 : 0)}});
      });
    });
  }

  void send(http::status st, json body) {
    res_ = {st, req_.version()};
    res_.set(http::field::content_type, "application/json");
    res_.keep_alive(req_.keep_alive());
    res_.body() = body.dump();
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (report(ec, "job write")) return;
      if (!self->res_.keep_alive()) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      self->read_request();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  asio::thread_pool& workers_;
};

// Font uploads: large bodies, read with a parser so the limit can be raised.
class FontUploadSession : public std::enable_shared_from_this<FontUploadSession> {
 public:
  explicit FontUploadSession(tcp::socket s) : stream_(std::move(s)) {}

  void start() {
    parser_.emplace();
    parser_->body_limit(32 * 1024 * 1024);
    stream_.expires_after(std::chrono::minutes(2));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                       if (report(ec, "font upload read")) return;
                       self->store(n);
                     });
  }

 private:
  void store(std::size_t bytes) {
    std::ofstream out("/var/lib/typeset/fonts/upload.otf", std::ios::binary);
    const auto& body = parser_->get().body();
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    std::cerr << "stored font upload, " << bytes << " bytes on the wire\n";
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

class Listener {
 public:
  Listener(asio::io_context& ioc, tcp::endpoint jobs_ep, tcp::endpoint fonts_ep, asio::thread_pool& workers)
      : jobs_(ioc, jobs_ep), fonts_(ioc, fonts_ep), workers_(workers) {}

  void start() {
    accept_jobs();
    accept_fonts();
  }

 private:
  void accept_jobs() {
    jobs_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<JobSession>(std::move(s), workers_)->start();
      accept_jobs();
    });
  }
  void accept_fonts() {
    fonts_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<FontUploadSession>(std::move(s))->start();
      accept_fonts();
    });
  }

  tcp::acceptor jobs_;
  tcp::acceptor fonts_;
  asio::thread_pool& workers_;
};

}  // namespace typeset
