// checks: errorshield-ws-frame-type
// Multiplayer lobby gateway: players negotiate teams in a lobby (JSON text frames), then switch to
// the match phase where clients push compact binary input frames. Spectators get a mixed feed.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace lobby {

struct InputFrame {
  std::uint32_t tick = 0;
  std::uint8_t buttons = 0;
  std::int16_t aim_x = 0;
  std::int16_t aim_y = 0;
};

InputFrame decode_input(const void* data, std::size_t n);
std::vector<std::uint8_t> encode_world_snapshot(std::uint64_t match_id);
std::vector<std::uint8_t> encode_positions(std::uint64_t match_id);
void apply_input(std::uint64_t match_id, const std::string& player, const InputFrame& in);
json scoreboard_for(std::uint64_t match_id);

enum class Phase { Lobby, Match };

class PlayerSession : public std::enable_shared_from_this<PlayerSession> {
 public:
  PlayerSession(tcp::socket sock, std::string player_id)
      : ws_(std::move(sock)), player_id_(std::move(player_id)) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(beast::bind_front_handler(&PlayerSession::on_accept, shared_from_this()));
  }

  // Outbound API used by the lobby manager.
  void send_json(const json& j) { enqueue(j.dump(), /*binary=*/false); }

  void send_snapshot(std::uint64_t match_id) {
    auto bytes = encode_world_snapshot(match_id);
    enqueue(std::string(bytes.begin(), bytes.end()), /*binary=*/true);
  }

  void send_delta_packed(const json& delta) {
    // MessagePack is denser than JSON for the per-tick deltas.
    auto packed = json::to_msgpack(delta);
    enqueue(std::string(packed.begin(), packed.end()), /*binary=*/false); // expect: errorshield-ws-frame-type
  }

  void send_delta_plain(const json& delta) {
    enqueue(delta.dump(), /*binary=*/false);
  }

 private:
  struct Outgoing {
    std::string payload;
    bool binary;
  };

  void on_accept(beast::error_code ec) {
    if (ec) return;
    do_read();
  }

  void do_read() {
    ws_.async_read(inbox_, beast::bind_front_handler(&PlayerSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    if (phase_ == Phase::Lobby)
      on_lobby_message();
    else
      on_match_message();
    inbox_.consume(inbox_.size());
    do_read();
  }

  void on_lobby_message() {
    if (!ws_.got_text()) {
      send_json({{"type", "error"}, {"reason", "lobby expects JSON text"}});
      return;
    }
    auto msg = json::parse(beast::buffers_to_string(inbox_.data()), nullptr, false);
    if (msg.is_discarded()) return;
    const auto type = msg.value("type", std::string{});
    if (type == "ready") {
      ready_ = msg.value("ready", false);
    } else if (type == "team") {
      team_ = msg.value("team", 0);
    } else if (type == "start" && ready_) {
      phase_ = Phase::Match;
      match_id_ = msg.value("match", std::uint64_t{0});
      send_snapshot(match_id_);
    }
  }

  void on_match_message() {
    // Clients mostly send 9-byte input frames here, but chat and "leave" still arrive as JSON.
    if (inbox_.size() == sizeof(InputFrame) + 1) {
      apply_input(match_id_, player_id_, decode_input(inbox_.data().data(), inbox_.size()));
      return;
    }
    auto cmd = json::parse(beast::buffers_to_string(inbox_.data()), nullptr, false); // expect: errorshield-ws-frame-type
    if (cmd.is_discarded()) return;
    if (cmd.value("type", "") == "leave") phase_ = Phase::Lobby;
  }

  void enqueue(std::string payload, bool binary) {
    outbox_.push_back(Outgoing{std::move(payload), binary});
    if (outbox_.size() > 1) return;
    do_write();
  }

  void do_write() {
    ws_.binary(outbox_.front().binary);
    ws_.async_write(net::buffer(outbox_.front().payload),
                    beast::bind_front_handler(&PlayerSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    outbox_.pop_front();
    if (!outbox_.empty()) do_write();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer inbox_;
  std::deque<Outgoing> outbox_;
  std::string player_id_;
  Phase phase_ = Phase::Lobby;
  bool ready_ = false;
  int team_ = 0;
  std::uint64_t match_id_ = 0;
};

// Spectators get a one-way feed driven by a timer; each push completes before the next tick.
class SpectatorFeed : public std::enable_shared_from_this<SpectatorFeed> {
 public:
  SpectatorFeed(tcp::socket sock, std::uint64_t match_id)
      : ws_(std::move(sock)), tick_(ws_.get_executor()), match_id_(match_id) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->ws_.text(true);
      self->push_scoreboard();
      self->read_chat();
    });
  }

  void announce(const std::string& text) {
    pending_announcement_ = text;
  }

 private:
  void schedule() {
    tick_.expires_after(std::chrono::milliseconds(100));
    tick_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      ++self->frame_no_;
      if (!self->pending_announcement_.empty())
        self->push_announcement();
      else if (self->frame_no_ % 10 == 0)
        self->push_scoreboard();
      else
        self->push_positions();
    });
  }

  void push_positions() {
    positions_ = encode_positions(match_id_);
    ws_.binary(true);
    ws_.async_write(net::buffer(positions_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->schedule();
    });
  }

  void push_scoreboard() {
    text_out_ = scoreboard_for(match_id_).dump();
    ws_.text(true);
    ws_.async_write(net::buffer(text_out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->schedule();
    });
  }

  void push_announcement() {
    // Runs between position frames, so the stream is still in binary mode from push_positions().
    text_out_ = json{{"type", "announce"}, {"text", pending_announcement_}}.dump();
    pending_announcement_.clear();
    ws_.async_write(net::buffer(text_out_), [self = shared_from_this()](beast::error_code ec, std::size_t) { // expect: errorshield-ws-frame-type
      if (!ec) self->schedule();
    });
  }

  void read_chat() {
    ws_.async_read(chat_in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      if (self->ws_.got_binary()) {
        self->chat_in_.clear();
        self->read_chat();
        return;
      }
      auto line = json::parse(beast::buffers_to_string(self->chat_in_.data()), nullptr, false);
      self->chat_in_.clear();
      if (!line.is_discarded() && line.contains("text")) ++self->chat_count_;
      self->read_chat();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer tick_;
  std::uint64_t match_id_;
  std::uint64_t frame_no_ = 0;
  std::vector<std::uint8_t> positions_;
  std::string text_out_;
  std::string pending_announcement_;
  beast::flat_buffer chat_in_;
  std::size_t chat_count_ = 0;
};

// Lobby rules arrive over the admin HTTP endpoint, not over a WebSocket: parsing the body is fine.
json load_lobby_rules(const beast::http::request<beast::http::string_body>& req) {
  return json::parse(req.body(), nullptr, false);
}

// Bot clients (used in load tests) speak MessagePack in binary frames.
void handle_bot_frame(websocket::stream<beast::tcp_stream>& ws, beast::flat_buffer& buf) {
  if (ws.got_text()) {
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    (void)j;
    return;
  }
  auto bytes = beast::buffers_to_string(buf.data());
  auto j = json::from_msgpack(bytes, true, false);
  (void)j;
}

void reply_to_bot(websocket::stream<beast::tcp_stream>& ws, const json& reply) {
  auto packed = json::to_msgpack(reply);
  ws.binary(true);
  ws.write(net::buffer(packed));
}

void reply_to_bot_legacy(websocket::stream<beast::tcp_stream>& ws, const json& reply) {
  auto packed = json::to_msgpack(reply);
  ws.text(true);
  ws.write(net::buffer(packed)); // expect: errorshield-ws-frame-type
}

}  // namespace lobby
