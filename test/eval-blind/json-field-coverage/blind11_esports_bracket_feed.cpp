// checks: errorshield-json-field-coverage
// Tournament bracket / live match feed for the broadcast overlay and the
// public bracket page. Payloads go out over WebSocket and HTTP snapshots.
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using json = nlohmann::json;

namespace bracket {

enum class MatchStatus { scheduled, live, finished, forfeited };

NLOHMANN_JSON_SERIALIZE_ENUM(MatchStatus, {
                                              {MatchStatus::scheduled, "scheduled"},
                                              {MatchStatus::live, "live"},
                                              {MatchStatus::finished, "finished"},
                                              {MatchStatus::forfeited, "forfeited"},
                                          })

struct Team {
  std::string id;
  std::string name;
  std::string tag;
  int seed = 0;
  std::string region;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Team, id, name, tag, seed) // expect: errorshield-json-field-coverage

struct PlayerRef {
  std::string handle;
  std::string team_id;
  std::string role;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PlayerRef, handle, team_id, role)

struct GameResult {
  std::string map_name;
  std::string winner_team_id;
  int duration_s = 0;
  int score_a = 0;
  int score_b = 0;
};

void to_json(json &j, const GameResult &g) {
  j = json{{"map", g.map_name},
           {"winner", g.winner_team_id},
           {"duration_s", g.duration_s},
           {"score", {g.score_a, g.score_b}}};
}

void from_json(const json &j, GameResult &g) {
  j.at("map").get_to(g.map_name);
  j.at("winner").get_to(g.winner_team_id);
  j.at("duration_s").get_to(g.duration_s);
  const auto &score = j.at("score");
  g.score_a = score.at(0).get<int>();
  g.score_b = score.at(1).get<int>();
}

struct Match {
  std::string match_id;
  int round = 0;
  std::string team_a;
  std::string team_b;
  int best_of = 3;
  MatchStatus status = MatchStatus::scheduled;
  std::vector<GameResult> games;
  std::int64_t scheduled_utc = 0;
  std::string stream_url;
};

static void append_broadcast(json &j, const Match &m) {
  j["broadcast"] = {{"scheduled_utc", m.scheduled_utc}, {"stream_url", m.stream_url}};
}

void to_json(json &j, const Match &m) {
  j = json{{"id", m.match_id}, {"round", m.round},   {"a", m.team_a},
           {"b", m.team_b},    {"bo", m.best_of},    {"status", m.status},
           {"games", m.games}};
  append_broadcast(j, m);
}

void from_json(const json &j, Match &m) { // expect: errorshield-json-field-coverage
  j.at("id").get_to(m.match_id);
  j.at("round").get_to(m.round);
  j.at("a").get_to(m.team_a);
  j.at("b").get_to(m.team_b);
  m.status = j.value("status", MatchStatus::scheduled);
  m.games = j.value("games", std::vector<GameResult>{});
  if (auto it = j.find("broadcast"); it != j.end()) {
    m.scheduled_utc = it->value("scheduled_utc", std::int64_t{0});
    m.stream_url = it->value("stream_url", std::string{});
  }
}

struct BracketNode {
  int node_id = 0;
  std::string match_id;
  int winner_to = -1;
  std::optional<int> loser_to;
  int depth = 0;
};

class StandingsRow {
public:
  StandingsRow() = default;
  StandingsRow(std::string team, int w, int l, int diff)
      : team_id_(std::move(team)), wins_(w), losses_(l), map_diff_(diff) {}

  void record(bool won, int diff) {
    (won ? wins_ : losses_) += 1;
    map_diff_ += diff;
  }

  friend void to_json(json &j, const StandingsRow &s) {
    j = json{{"team", s.team_id_}, {"w", s.wins_}, {"l", s.losses_}, {"diff", s.map_diff_}};
  }
  friend void from_json(const json &j, StandingsRow &s) {
    s.team_id_ = j.at("team").get<std::string>();
    s.wins_ = j.at("w").get<int>();
    s.losses_ = j.at("l").get<int>();
    s.map_diff_ = j.value("diff", 0);
  }

private:
  std::string team_id_;
  int wins_ = 0;
  int losses_ = 0;
  int map_diff_ = 0;
};

struct LiveScore {
  std::string match_id;
  int game_index = 0;
  int score_a = 0;
  int score_b = 0;
  std::int64_t ts_ms = 0;
  std::uint64_t sequence = 0;
};

void to_json(json &j, const LiveScore &s) { // expect: errorshield-json-field-coverage
  j["m"] = s.match_id;
  j["g"] = s.game_index;
  j["sa"] = s.score_a;
  j["sb"] = s.score_b;
  j["ts"] = s.ts_ms;
}

template <class Payload> struct FeedEnvelope {
  std::string channel;
  std::uint64_t seq = 0;
  std::int64_t sent_ms = 0;
  Payload payload;
};

template <class Payload> void to_json(json &j, const FeedEnvelope<Payload> &e) {
  j = json{{"ch", e.channel}, {"seq", e.seq}, {"t", e.sent_ms}, {"d", e.payload}};
}

} // namespace bracket

template <> struct nlohmann::adl_serializer<bracket::BracketNode> {
  static void to_json(json &j, const bracket::BracketNode &n) { // expect: errorshield-json-field-coverage
    j = json{{"node", n.node_id}, {"match", n.match_id}, {"winner_to", n.winner_to},
             {"depth", n.depth}};
  }
  static void from_json(const json &j, bracket::BracketNode &n) {
    n.node_id = j.at("node").get<int>();
    n.match_id = j.at("match").get<std::string>();
    n.winner_to = j.value("winner_to", -1);
    if (j.contains("loser_to") && !j["loser_to"].is_null())
      n.loser_to = j["loser_to"].get<int>();
    n.depth = j.value("depth", 0);
  }
};

namespace bracket {

class FeedPublisher {
public:
  using ws_t = websocket::stream<beast::tcp_stream>;

  explicit FeedPublisher(std::string channel) : channel_(std::move(channel)) {}

  void attach(std::shared_ptr<ws_t> ws) { subscribers_.push_back(std::move(ws)); }

  std::string snapshot(const std::vector<Team> &teams, const std::vector<Match> &matches,
                       const std::vector<BracketNode> &nodes,
                       const std::map<std::string, StandingsRow> &table) const {
    json j;
    j["teams"] = teams;
    j["matches"] = matches;
    j["nodes"] = nodes;
    json rows = json::array();
    for (const auto &[team, row] : table)
      rows.push_back(row);
    j["standings"] = std::move(rows);
    return j.dump();
  }

  std::string score_frame(const LiveScore &s, std::int64_t now_ms) {
    FeedEnvelope<LiveScore> env{channel_, ++seq_, now_ms, s};
    return json(env).dump();
  }

  void push_score(const LiveScore &s, std::int64_t now_ms) {
    auto frame = std::make_shared<std::string>(score_frame(s, now_ms));
    for (auto &ws : subscribers_) {
      ws->text(true);
      ws->async_write(boost::asio::buffer(*frame),
                      [frame, ws](beast::error_code ec, std::size_t) {
                        if (ec)
                          ws->next_layer().close();
                      });
    }
  }

  static Match parse_match_update(const std::string &body) {
    return json::parse(body).get<Match>();
  }

  static std::vector<Team> parse_roster(const std::string &body) {
    return json::parse(body).at("teams").get<std::vector<Team>>();
  }

private:
  std::string channel_;
  std::uint64_t seq_ = 0;
  std::vector<std::shared_ptr<ws_t>> subscribers_;
};

} // namespace bracket
