// checks: errorshield-json-field-coverage
// Avalanche search coordination hub: rescuers' phones relay transceiver
// readings, victim status and sector assignments over one WebSocket per
// rescuer; the hub merges them and rebroadcasts the incident picture.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace sar {

// ------------------------------------------------------------- wire models
struct LatLon {
  double lat = 0;
  double lon = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LatLon, lat, lon)

struct BeaconPing {
  std::string beacon_id;
  std::string rescuer_id;
  double distance_m = 0;
  int bearing_deg = 0;
  int signal_count = 1;  // more than one: multiple burials in range
  int battery_pct = 100;
  std::int64_t received_at_ms = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BeaconPing, beacon_id, rescuer_id, distance_m, bearing_deg, battery_pct, received_at_ms)  // expect: errorshield-json-field-coverage

struct Victim {
  std::string victim_id;
  LatLon last_seen;
  int depth_cm = 0;
  bool located = false;
  bool extracted = false;
  std::string probe_line;
};

inline void to_json(json& j, const Victim& v) {
  j = json{{"id", v.victim_id},     {"last_seen", v.last_seen}, {"depth_cm", v.depth_cm},
           {"located", v.located}, {"extracted", v.extracted}, {"probe_line", v.probe_line}};
}

inline void from_json(const json& j, Victim& v) {  // expect: errorshield-json-field-coverage
  j.at("id").get_to(v.victim_id);
  j.at("last_seen").get_to(v.last_seen);
  v.depth_cm = j.value("depth_cm", 0);
  v.located = j.value("located", false);
  v.probe_line = j.value("probe_line", std::string{});
}

struct SearchSector {
  std::string sector_id;
  std::vector<LatLon> polygon;
  std::string assigned_team;
  std::string status;
  int slope_deg = 0;
};

json encode_sector(const SearchSector& s) {  // expect: errorshield-json-field-coverage
  json j;
  j["sector"] = s.sector_id;
  j["polygon"] = s.polygon;
  j["team"] = s.assigned_team;
  j["status"] = s.status;
  return j;
}

SearchSector decode_sector(const json& j) {
  SearchSector s;
  j.at("sector").get_to(s.sector_id);
  j.at("polygon").get_to(s.polygon);
  s.assigned_team = j.value("team", std::string{});
  s.status = j.value("status", std::string{"open"});
  s.slope_deg = j.value("slope_deg", 0);
  return s;
}

class Rescuer {
 public:
  Rescuer() = default;
  Rescuer(std::string id, std::string name) : id_(std::move(id)), name_(std::move(name)) {}
  const std::string& id() const { return id_; }
  void move_to(LatLon p) { position_ = p; }
  void set_transmitting(bool on) { transmit_mode_ = on; }

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Rescuer, id_, name_, team_, position_)  // expect: errorshield-json-field-coverage

 private:
  std::string id_;
  std::string name_;
  std::string team_;
  LatLon position_;
  bool transmit_mode_ = false;  // a searcher left in send mode masks the victims
};

struct Team {
  std::string team_id;
  std::string leader;
};

inline void to_json(json& j, const Team& t) { j = json{{"team", t.team_id}, {"leader", t.leader}}; }
inline void from_json(const json& j, Team& t) {
  j.at("team").get_to(t.team_id);
  j.at("leader").get_to(t.leader);
}

struct DeployedTeam : Team {
  std::string sector_id;
  int eta_s = 0;
};

inline void to_json(json& j, const DeployedTeam& t) {  // expect: errorshield-json-field-coverage
  j = json{{"sector", t.sector_id}, {"eta_s", t.eta_s}};
}

inline void from_json(const json& j, DeployedTeam& t) {
  from_json(j, static_cast<Team&>(t));
  j.at("sector").get_to(t.sector_id);
  t.eta_s = j.value("eta_s", 0);
}

struct HubConfig {
  int ping_stale_ms = 5000;
  int max_rescuers = 64;
  std::string incident_name = "unnamed";
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HubConfig, ping_stale_ms, max_rescuers, incident_name)

struct IncidentSnapshot {
  std::string incident;
  std::vector<Victim> victims;
  std::vector<SearchSector> sectors;
  std::vector<DeployedTeam> teams;
  std::vector<Rescuer> rescuers;
  std::int64_t generated_at_ms = 0;
};

inline void to_json(json& j, const IncidentSnapshot& s) {
  json sectors = json::array();
  for (const auto& sec : s.sectors) sectors.push_back(encode_sector(sec));
  j = json{{"incident", s.incident},
           {"victims", s.victims},
           {"sectors", std::move(sectors)},
           {"teams", s.teams},
           {"rescuers", s.rescuers},
           {"generated_at_ms", s.generated_at_ms}};
}

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// ------------------------------------------------------------------- hub
class RescuerSession;

class IncidentHub {
 public:
  IncidentHub(net::io_context& ioc, HubConfig cfg) : strand_(net::make_strand(ioc)), cfg_(std::move(cfg)) {}

  net::strand<net::io_context::executor_type>& strand() { return strand_; }
  void join(std::shared_ptr<RescuerSession> s) { sessions_.insert(std::move(s)); }
  void leave(const std::shared_ptr<RescuerSession>& s) { sessions_.erase(s); }

  // All handlers below run on strand_.
  void on_message(const json& msg);
  void broadcast();

 private:
  net::strand<net::io_context::executor_type> strand_;
  HubConfig cfg_;
  std::set<std::shared_ptr<RescuerSession>> sessions_;
  std::map<std::string, BeaconPing> last_ping_;
  std::map<std::string, Victim> victims_;
  std::map<std::string, SearchSector> sectors_;
  std::map<std::string, DeployedTeam> teams_;
  std::map<std::string, Rescuer> rescuers_;
};

class RescuerSession : public std::enable_shared_from_this<RescuerSession> {
 public:
  RescuerSession(tcp::socket&& s, IncidentHub& hub) : ws_(std::move(s)), hub_(hub) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
  }

  void run() { ws_.async_accept(beast::bind_front_handler(&RescuerSession::on_accept, shared_from_this())); }

  void send(std::shared_ptr<const std::string> text) {
    net::post(ws_.get_executor(), [self = shared_from_this(), text] {
      self->queue_.push_back(text);
      if (self->queue_.size() == 1) self->write_next();
    });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    net::post(hub_.strand(), [self = shared_from_this()] { self->hub_.join(self); });
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        net::post(self->hub_.strand(), [self] { self->hub_.leave(self); });
        return;
      }
      auto msg = json::parse(beast::buffers_to_string(self->buffer_.data()), nullptr, false);
      self->buffer_.consume(self->buffer_.size());
      if (msg.is_object())
        net::post(self->hub_.strand(), [self, msg = std::move(msg)] { self->hub_.on_message(msg); });
      self->do_read();
    });
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write_next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  IncidentHub& hub_;
  beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<const std::string>> queue_;
};

void IncidentHub::on_message(const json& msg) {
  const auto type = msg.value("type", std::string{});
  const json& data = msg.contains("data") ? msg["data"] : msg;
  try {
    if (type == "ping") {
      auto ping = data.get<BeaconPing>();
      ping.received_at_ms = now_ms();
      last_ping_[ping.beacon_id] = ping;
    } else if (type == "victim") {
      auto v = data.get<Victim>();
      victims_[v.victim_id] = v;
    } else if (type == "sector") {
      auto s = decode_sector(data);
      sectors_[s.sector_id] = s;
    } else if (type == "deploy") {
      auto t = data.get<DeployedTeam>();
      teams_[t.team_id] = t;
    } else if (type == "rescuer") {
      auto r = data.get<Rescuer>();
      if (rescuers_.size() < static_cast<std::size_t>(cfg_.max_rescuers) || rescuers_.count(r.id()))
        rescuers_[r.id()] = r;
    } else {
      return;
    }
  } catch (const json::exception& e) {
    std::clog << "[hub] bad " << type << " message: " << e.what() << '\n';
    return;
  }
  broadcast();
}

void IncidentHub::broadcast() {
  IncidentSnapshot snap;
  snap.incident = cfg_.incident_name;
  snap.generated_at_ms = now_ms();
  for (const auto& [_, v] : victims_) snap.victims.push_back(v);
  for (const auto& [_, s] : sectors_) snap.sectors.push_back(s);
  for (const auto& [_, t] : teams_) snap.teams.push_back(t);
  for (const auto& [_, r] : rescuers_) snap.rescuers.push_back(r);
  json j = snap;
  json pings = json::array();
  for (const auto& [_, p] : last_ping_)
    if (snap.generated_at_ms - p.received_at_ms < cfg_.ping_stale_ms) pings.push_back(p);
  j["pings"] = std::move(pings);
  auto text = std::make_shared<const std::string>(j.dump());
  for (const auto& s : sessions_) s->send(text);
}

}  // namespace sar

int main(int argc, char** argv) {
  net::io_context ioc;
  auto cfg = json::parse(argc > 1 ? argv[1] : R"({"incident_name":"Couloir 3"})").get<sar::HubConfig>();
  sar::IncidentHub hub(ioc, cfg);
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        tcp::acceptor acceptor(ioc, {tcp::v4(), 9443});
        for (;;) {
          auto socket = co_await acceptor.async_accept(net::make_strand(ioc), net::use_awaitable);
          std::make_shared<sar::RescuerSession>(std::move(socket), hub)->run();
        }
      },
      net::detached);
  ioc.run();
}
