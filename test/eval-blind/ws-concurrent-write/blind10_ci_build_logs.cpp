// checks: errorshield-ws-concurrent-write
// Live build-log viewer: runners stream stdout lines of a CI job; browsers
// follow the job over a WebSocket, and finished artifacts are pushed to the
// cache daemon over a raw TCP connection.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

using LogWs = websocket::stream<beast::tcp_stream>;

template <class Stream>
void send_frame(Stream &s, std::shared_ptr<std::string> frame) {
  s.async_write(net::buffer(*frame),
                [frame](beast::error_code, std::size_t) {});
}

class JobFollower : public std::enable_shared_from_this<JobFollower> {
public:
  JobFollower(tcp::socket sock, std::string job_id)
      : ws_(std::move(sock)), strand_(ws_.get_executor()),
        job_id_(std::move(job_id)) {}

  // Called from runner threads; hop onto the strand first.
  void on_runner_line(std::string line) {
    net::post(strand_, [self = shared_from_this(), l = std::move(line)]() mutable {
      self->push_line(std::move(l));
    });
  }

  // OK: queued, a single write in flight.
  void push_line(std::string line) {
    pending_.push_back(std::make_shared<std::string>(
        json{{"job", job_id_}, {"seq", next_seq_++}, {"line", std::move(line)}}
            .dump()));
    if (!writing_)
      pump();
  }

  // BUG: replays the scroll-back buffer with one write per line, all at once.
  void replay_tail(const std::vector<std::string> &tail) {
    for (const auto &l : tail) {
      auto msg = std::make_shared<std::string>(l);
      ws_.async_write(net::buffer(*msg), // expect: errorshield-ws-concurrent-write
                      [msg](beast::error_code, std::size_t) {});
    }
  }

  // OK: only writes directly when nothing is in flight, otherwise queues.
  void send_heartbeat() {
    auto hb = std::make_shared<std::string>(R"({"type":"hb"})");
    if (writing_) {
      pending_.push_back(hb);
      return;
    }
    writing_ = true;
    ws_.async_write(net::buffer(*hb), [self = shared_from_this(),
                                       hb](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (!ec && !self->pending_.empty())
        self->pump();
    });
  }

  // BUG: both status frames go out through the helper back to back.
  void announce_stage(const std::string &stage, int index, int total) {
    auto hdr = std::make_shared<std::string>(
        json{{"type", "stage"}, {"name", stage}}.dump());
    auto progress = std::make_shared<std::string>(
        json{{"type", "progress"}, {"done", index}, {"total", total}}.dump());
    send_frame(ws_, hdr);
    send_frame(ws_, progress); // expect: errorshield-ws-concurrent-write
  }

  void finish(int exit_code, std::vector<std::string> last_lines) {
    for (auto &l : last_lines)
      push_line(std::move(l));
    if (exit_code == 0) {
      push_line("== build succeeded ==");
      return;
    }
    // BUG: the failure summary skips the queue while the last lines are still draining.
    auto summary = std::make_shared<std::string>(
        json{{"type", "failed"}, {"exit_code", exit_code}}.dump());
    ws_.async_write(net::buffer(*summary), // expect: errorshield-ws-concurrent-write
                    [summary](beast::error_code, std::size_t) {});
  }

private:
  void pump() {
    writing_ = true;
    auto front = pending_.front();
    ws_.async_write(net::buffer(*front), [self = shared_from_this(), front](
                                             beast::error_code ec, std::size_t) {
      self->pending_.pop_front();
      if (ec || self->pending_.empty()) {
        self->writing_ = false;
        return;
      }
      self->pump();
    });
  }

  LogWs ws_;
  net::strand<net::any_io_executor> strand_;
  std::string job_id_;
  std::deque<std::shared_ptr<std::string>> pending_;
  std::uint64_t next_seq_ = 0;
  bool writing_ = false;
};

// OK: viewers of a cancelled job are idle; one write per distinct stream.
void broadcast_cancelled(std::vector<std::shared_ptr<LogWs>> &viewers) {
  auto note = std::make_shared<std::string>(R"({"type":"cancelled"})");
  for (auto &v : viewers)
    v->async_write(net::buffer(*note), [note](beast::error_code, std::size_t) {});
}

struct ArtifactHeader {
  std::uint32_t magic = 0x43494152;
  std::uint32_t name_len = 0;
  std::uint64_t size = 0;
};

class ArtifactUploader {
public:
  explicit ArtifactUploader(tcp::socket sock) : sock_(std::move(sock)) {}

  // BUG: header and body are two independent async_write calls in flight together.
  void upload_fast(std::shared_ptr<ArtifactHeader> hdr,
                   std::shared_ptr<std::vector<char>> blob) {
    net::async_write(sock_, net::buffer(hdr.get(), sizeof(*hdr)),
                     [hdr](beast::error_code, std::size_t) {});
    net::async_write(sock_, net::buffer(*blob), // expect: errorshield-ws-concurrent-write
                     [blob](beast::error_code, std::size_t) {});
  }

  // OK: a single composed write over a buffer sequence.
  void upload_gathered(std::shared_ptr<ArtifactHeader> hdr,
                       std::shared_ptr<std::string> name,
                       std::shared_ptr<std::vector<char>> blob) {
    std::vector<net::const_buffer> parts{net::buffer(hdr.get(), sizeof(*hdr)),
                                         net::buffer(*name),
                                         net::buffer(*blob)};
    net::async_write(sock_, parts,
                     [hdr, name, blob](beast::error_code, std::size_t) {});
  }

  // OK: body is written from the header's completion handler.
  void upload_chained(std::shared_ptr<ArtifactHeader> hdr,
                      std::shared_ptr<std::vector<char>> blob) {
    net::async_write(sock_, net::buffer(hdr.get(), sizeof(*hdr)),
                     [this, hdr, blob](beast::error_code ec, std::size_t) {
                       if (ec)
                         return;
                       net::async_write(sock_, net::buffer(*blob),
                                        [blob](beast::error_code, std::size_t) {});
                     });
  }

  // OK: coroutine awaits each piece in order.
  net::awaitable<void> upload_co(ArtifactHeader hdr, std::string name,
                                 std::vector<char> blob) {
    co_await net::async_write(sock_, net::buffer(&hdr, sizeof(hdr)),
                              net::use_awaitable);
    co_await net::async_write(sock_, net::buffer(name), net::use_awaitable);
    co_await net::async_write(sock_, net::buffer(blob), net::use_awaitable);
  }

private:
  tcp::socket sock_;
};

// BUG: the step-summary lambda is stored and run after the live tail already started writing.
void schedule_summary(net::io_context &ioc, std::shared_ptr<LogWs> ws,
                      std::shared_ptr<std::string> live_line,
                      std::shared_ptr<std::string> summary) {
  ws->async_write(net::buffer(*live_line),
                  [live_line](beast::error_code, std::size_t) {});
  auto later = [ws, summary] {
    ws->async_write(net::buffer(*summary), // expect: errorshield-ws-concurrent-write
                    [summary](beast::error_code, std::size_t) {});
  };
  net::post(ioc, later);
}
