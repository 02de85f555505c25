// checks: errorshield-ws-frame-type
// CNC cell controller: operators' pendants and the MES connect over WebSocket
// to stream G-code into the planner, watch job progress and pull toolpath
// previews / spindle telemetry.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace cnc {

using ws_t = websocket::stream<beast::tcp_stream>;

#pragma pack(push, 1)
struct TelemetrySample {
  std::uint64_t t_us;
  std::int32_t pos_um[3];
  std::uint16_t spindle_rpm;
  std::uint16_t load_permille;
  std::uint8_t feed_override;
  std::uint8_t state;
};
#pragma pack(pop)

struct Vertex {
  float x, y, z;
  std::uint8_t rapid;
};

struct JobStatus {
  std::string job_id;
  std::uint32_t line = 0;
  std::uint32_t total_lines = 0;
  std::string state;
};

inline json to_json_status(const JobStatus& s) {
  return json{{"job", s.job_id}, {"line", s.line}, {"total", s.total_lines}, {"state", s.state}};
}

std::vector<Vertex> plan_preview(const std::vector<std::string>& gcode);
std::optional<std::string> validate_gcode_line(const std::string& line);

class PendantSession : public std::enable_shared_from_this<PendantSession> {
 public:
  explicit PendantSession(tcp::socket s) : ws_(std::move(s)) {}

  // Echo each accepted G-code block back so the pendant can highlight it.
  void ack_line(std::uint32_t n, const std::string& block) {
    ws_.text(true);
    ws_.write(net::buffer("ok " + std::to_string(n) + " " + block));  // OK
  }

  // Toolpath preview: packed vertex array for the WebGL view.
  void send_preview(const std::vector<std::string>& program) {
    std::vector<Vertex> verts = plan_preview(program);
    ws_.binary(true);
    ws_.write(net::buffer(verts));  // OK
  }

  // Same preview, but the status line is sent right after on the same stream.
  void send_preview_with_status(const std::vector<std::string>& program, const JobStatus& st) {
    std::vector<Vertex> verts = plan_preview(program);
    ws_.binary(true);
    ws_.write(net::buffer(verts));  // OK
    ws_.write(net::buffer(to_json_status(st).dump()));  // expect: errorshield-ws-frame-type
  }

  // Telemetry at 250 Hz, packed struct straight off the motion controller.
  void push_telemetry(const TelemetrySample& s) {
    ws_.text(true);
    ws_.write(net::buffer(&s, sizeof s));  // expect: errorshield-ws-frame-type
  }

  void push_telemetry_fixed(const TelemetrySample& s) {
    std::array<std::uint8_t, sizeof(TelemetrySample)> raw{};
    std::memcpy(raw.data(), &s, sizeof s);
    ws_.binary(true);
    ws_.write(net::buffer(raw));  // OK
  }

  // Telemetry for the MES dashboard, which wants JSON.
  void push_telemetry_json(const TelemetrySample& s) {
    json j{{"t", s.t_us},
           {"x", s.pos_um[0]},
           {"y", s.pos_um[1]},
           {"z", s.pos_um[2]},
           {"rpm", s.spindle_rpm},
           {"load", s.load_permille}};
    ws_.text(true);
    ws_.write(net::buffer(j.dump()));  // OK
  }

  // Upload path: the pendant streams a program as text frames, one block each.
  void receive_program(std::vector<std::string>& out) {
    beast::flat_buffer buf;
    for (;;) {
      buf.clear();
      ws_.read(buf);
      if (ws_.got_binary()) {
        reject_upload("program must be sent as text");
        return;
      }
      std::string block = beast::buffers_to_string(buf.data());
      if (block == "%") break;
      if (auto err = validate_gcode_line(block)) {
        ws_.binary(true);
        ws_.write(net::buffer(json{{"error", *err}, {"line", out.size() + 1}}.dump()));  // expect: errorshield-ws-frame-type
        return;
      }
      out.push_back(std::move(block));
      ack_line(static_cast<std::uint32_t>(out.size()), out.back());
    }
  }

  // Download of a finished job's archive (.zip with program + logs).
  void send_archive(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::vector<char> chunk(64 * 1024);
    ws_.text(true);
    while (f.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || f.gcount() > 0) {
      const auto n = static_cast<std::size_t>(f.gcount());
      const bool last = f.eof();
      ws_.write_some(last, net::buffer(chunk.data(), n));  // expect: errorshield-ws-frame-type
      if (last) break;
    }
  }

  // Download of the plain-text program itself is fine as text.
  void send_program_text(const std::string& path) {
    std::ifstream f(path);
    std::string program((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    ws_.text(true);
    ws_.write(net::buffer(program));  // OK
  }

  void reject_upload(const std::string& why) {
    ws_.text(true);
    ws_.write(net::buffer(json{{"error", why}}.dump()));  // OK
  }

 private:
  ws_t ws_;
};

// MES bridge uses MessagePack for job status to save bandwidth on the plant
// network; the HMI still gets JSON.
class StatusBroadcaster {
 public:
  struct Peer {
    ws_t* ws;
    bool wants_msgpack;
  };

  void broadcast(const JobStatus& st) {
    const json j = to_json_status(st);
    const std::vector<std::uint8_t> packed = json::to_msgpack(j);
    const std::string text = j.dump();
    for (Peer& p : peers_) {
      if (p.wants_msgpack) {
        p.ws->binary(true);
        p.ws->write(net::buffer(packed));  // OK
      } else {
        p.ws->text(true);
        p.ws->write(net::buffer(text));  // OK
      }
    }
  }

  void broadcast_legacy(const JobStatus& st) {
    const std::vector<std::uint8_t> packed = json::to_msgpack(to_json_status(st));
    for (Peer& p : peers_) {
      p.ws->text(true);
      p.ws->write(net::buffer(packed));  // expect: errorshield-ws-frame-type
    }
  }

  std::vector<Peer> peers_;
};

// Coroutine streaming a job's G-code to a remote spindle controller, block by
// block, and reporting progress as JSON in between.
net::awaitable<void> stream_job(ws_t& ws, JobStatus st, std::vector<std::string> program) {
  st.total_lines = static_cast<std::uint32_t>(program.size());
  ws.text(true);
  for (const std::string& block : program) {
    co_await ws.async_write(net::buffer(block), net::use_awaitable);  // OK
    ++st.line;
    if (st.line % 100 == 0) {
      std::string progress = to_json_status(st).dump();
      co_await ws.async_write(net::buffer(progress), net::use_awaitable);  // OK
    }
  }
  std::vector<Vertex> verts = plan_preview(program);
  co_await ws.async_write(net::buffer(verts), net::use_awaitable);  // expect: errorshield-ws-frame-type
  st.state = "done";
  std::string final_status = to_json_status(st).dump();
  co_await ws.async_write(net::buffer(final_status), net::use_awaitable);  // OK
}

}  // namespace cnc
