// checks: errorshield-unchecked-read
// Esports tournament bracket service: match servers report results over HTTP,
// spectator relays feed live scores over a length-prefixed TCP protocol, and
// casters' overlays get bracket updates over WebSocket.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace brackets {

struct MatchResult {
  std::string match_id;
  std::string winner;
  std::string loser;
  int winner_maps = 0;
  int loser_maps = 0;
};

class Bracket {
public:
  void seed(std::vector<std::string> teams) { teams_ = std::move(teams); }
  bool record(const MatchResult& r) {
    if (results_.count(r.match_id)) return false;
    results_[r.match_id] = r;
    return true;
  }
  json to_json() const {
    json j;
    j["teams"] = teams_;
    for (const auto& [id, r] : results_) j["results"][id] = {{"w", r.winner}, {"l", r.loser}};
    return j;
  }

private:
  std::vector<std::string> teams_;
  std::map<std::string, MatchResult> results_;
};

// Seeding import from the organiser's CSV export: "seed,team".
std::vector<std::string> load_seeds(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> teams;
  std::string line;
  while (std::getline(in, line)) {
    auto comma = line.find(',');
    if (comma != std::string::npos) teams.push_back(line.substr(comma + 1));
  }
  return teams;
}

// Group-stage import: same format, blocks separated by blank lines.
std::vector<std::vector<std::string>> load_groups(std::istream& in) {
  std::vector<std::vector<std::string>> groups(1);
  std::string line;
  for (;;) {
    std::getline(in, line); // expect: errorshield-unchecked-read
    if (line == "END") break;
    if (line.empty()) {
      if (!groups.back().empty()) groups.emplace_back();
      continue;
    }
    groups.back().push_back(line.substr(line.find(',') + 1));
  }
  return groups;
}

// Match servers POST /result. Keep-alive HTTP session.
class ResultSession : public std::enable_shared_from_this<ResultSession> {
public:
  ResultSession(tcp::socket s, Bracket& b) : stream_(std::move(s)), bracket_(b) {}

  void start(bool admin_port) {
    if (admin_port) read_admin_request();
    else read_request();
  }

private:
  void read_request() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == http::error::end_of_stream) return self->shutdown();
      if (ec) return;
      self->handle();
    });
  }

  // Admin re-submission endpoint: same parser, separate listener.
  void read_admin_request() {
    req_ = {};
    http::async_read(stream_, buffer_, req_, [self = shared_from_this()](beast::error_code, std::size_t) { // expect: errorshield-unchecked-read
      self->handle();
    });
  }

  void handle() {
    auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req_.version());
    auto j = json::parse(req_.body(), nullptr, false);
    if (j.is_discarded() || !j.contains("match_id")) {
      res->result(http::status::bad_request);
    } else {
      MatchResult r{j["match_id"], j.value("winner", ""), j.value("loser", ""), j.value("wm", 0), j.value("lm", 0)};
      if (!bracket_.record(r)) res->result(http::status::conflict);
    }
    res->keep_alive(req_.keep_alive());
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec || !res->keep_alive()) return self->shutdown();
      self->read_request();
    });
  }

  void shutdown() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  Bracket& bracket_;
};

// Spectator relay protocol: 4-byte big-endian length, then a JSON score frame.
template <class SyncReadStream>
std::optional<json> read_score_frame(SyncReadStream& s) {
  std::array<unsigned char, 4> hdr{};
  beast::error_code ec;
  asio::read(s, asio::buffer(hdr), ec);
  if (ec) return std::nullopt;
  const std::uint32_t len = (hdr[0] << 24) | (hdr[1] << 16) | (hdr[2] << 8) | hdr[3];
  if (len > (1u << 20)) return std::nullopt;
  std::string body(len, '\0');
  asio::read(s, asio::buffer(body), ec); // expect: errorshield-unchecked-read
  return json::parse(body, nullptr, false);
}

template <class SyncReadStream>
std::optional<json> read_score_frame_strict(SyncReadStream& s) {
  std::array<unsigned char, 4> hdr{};
  asio::read(s, asio::buffer(hdr));  // throws on EOF/error
  const std::uint32_t len = (hdr[0] << 24) | (hdr[1] << 16) | (hdr[2] << 8) | hdr[3];
  if (len > (1u << 20)) return std::nullopt;
  std::string body(len, '\0');
  asio::read(s, asio::buffer(body));
  return json::parse(body, nullptr, false);
}

void relay_worker(tcp::socket& relay, Bracket& bracket) {
  while (auto frame = read_score_frame(relay)) {
    if (frame->is_discarded() || !frame->contains("final")) continue;
    bracket.record(MatchResult{(*frame)["match_id"], (*frame)["winner"], (*frame)["loser"], 0, 0});
  }
}

// Caster overlay: reads "focus" commands, pushes bracket snapshots back.
asio::awaitable<void> overlay_session(websocket::stream<beast::tcp_stream> ws, Bracket& bracket) {
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, asio::as_tuple(asio::use_awaitable)); // expect: errorshield-unchecked-read
    const auto cmd = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(n);
    if (cmd.is_discarded()) continue;
    const std::string snapshot = bracket.to_json().dump();
    co_await ws.async_write(asio::buffer(snapshot), asio::use_awaitable);
  }
}

// Referee tablet: same protocol, exceptions end the session.
asio::awaitable<void> referee_session(websocket::stream<beast::tcp_stream> ws, Bracket& bracket) {
  try {
    co_await ws.async_accept(asio::use_awaitable);
    beast::flat_buffer buf;
    for (;;) {
      co_await ws.async_read(buf, asio::use_awaitable);
      auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
      buf.clear();
      if (!j.is_discarded() && j.contains("match_id"))
        bracket.record(MatchResult{j["match_id"], j.value("winner", ""), j.value("loser", ""), 0, 0});
    }
  } catch (const beast::system_error&) {
  }
}

asio::awaitable<void> listen(tcp::acceptor& acc, Bracket& bracket) {
  for (;;) {
    auto [ec, sock] = co_await acc.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    asio::co_spawn(acc.get_executor(),
                   overlay_session(websocket::stream<beast::tcp_stream>(std::move(sock)), bracket), asio::detached);
  }
}

}  // namespace brackets
