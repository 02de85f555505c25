// checks: errorshield-json-field-coverage
// Ambulance dispatch records: the CAD server publishes incidents and unit
// assignments to crew tablets over WebSocket and archives them as JSON.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace cad {

struct GeoPoint {
  double lat = 0;
  double lon = 0;
  double accuracy_m = 0;
};

} // namespace cad

// Positions travel as compact arrays rather than objects to keep AVL frames small.
namespace nlohmann {
template <>
struct adl_serializer<cad::GeoPoint> {
  static void to_json(json &j, const cad::GeoPoint &p) { // expect: errorshield-json-field-coverage
    j = json::array({p.lat, p.lon});
  }
  static void from_json(const json &j, cad::GeoPoint &p) {
    p.lat = j.at(0).get<double>();
    p.lon = j.at(1).get<double>();
    p.accuracy_m = j.size() > 2 ? j.at(2).get<double>() : 0.0;
  }
};

template <>
struct adl_serializer<std::chrono::system_clock::time_point> {
  static void to_json(json &j, const std::chrono::system_clock::time_point &tp) {
    j = std::chrono::duration_cast<std::chrono::seconds>(tp.time_since_epoch()).count();
  }
  static void from_json(const json &j, std::chrono::system_clock::time_point &tp) {
    tp = std::chrono::system_clock::time_point(std::chrono::seconds(j.get<std::int64_t>()));
  }
};
} // namespace nlohmann

namespace cad {

enum class Priority { echo, delta, charlie, bravo, alpha, omega };
NLOHMANN_JSON_SERIALIZE_ENUM(Priority, {{Priority::echo, "E"},
                                        {Priority::delta, "D"},
                                        {Priority::charlie, "C"},
                                        {Priority::bravo, "B"},
                                        {Priority::alpha, "A"},
                                        {Priority::omega, "O"}})

struct CallRecord {
  std::string call_id;
  std::int64_t received_at = 0;
  std::string caller_phone;
};

void to_json(json &j, const CallRecord &c) {
  j["call_id"] = c.call_id;
  j["received_at"] = c.received_at;
  j["caller_phone"] = c.caller_phone;
}

void from_json(const json &j, CallRecord &c) {
  j.at("call_id").get_to(c.call_id);
  j.at("received_at").get_to(c.received_at);
  j.at("caller_phone").get_to(c.caller_phone);
}

// Medical calls extend the base record with triage information.
struct MedicalCall : CallRecord {
  std::string chief_complaint;
  bool conscious = true;
  bool breathing = true;
};

void to_json(json &j, const MedicalCall &m) {
  to_json(j, static_cast<const CallRecord &>(m));
  j["chief_complaint"] = m.chief_complaint;
  j["conscious"] = m.conscious;
  j["breathing"] = m.breathing;
}

void from_json(const json &j, MedicalCall &m) {
  from_json(j, static_cast<CallRecord &>(m));
  j.at("chief_complaint").get_to(m.chief_complaint);
  j.at("conscious").get_to(m.conscious);
  j.at("breathing").get_to(m.breathing);
}

struct Incident {
  std::string incident_id;
  std::string address;
  GeoPoint location;
  Priority priority = Priority::charlie;
  std::string determinant_code;
  std::vector<std::string> notes;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Incident, incident_id, address, location, determinant_code, notes) // expect: errorshield-json-field-coverage

// Crew unit as tracked by the AVL feed.
class Unit {
public:
  Unit() = default;
  Unit(std::string callsign, std::string station, bool als)
      : callsign_(std::move(callsign)), station_(std::move(station)), als_capable_(als) {}

  const std::string &callsign() const { return callsign_; }

  friend void to_json(json &j, const Unit &u) { // expect: errorshield-json-field-coverage
    j = json{{"callsign", u.callsign_}, {"station", u.station_}, {"status", u.status_}};
  }
  friend void from_json(const json &j, Unit &u) {
    j.at("callsign").get_to(u.callsign_);
    j.at("station").get_to(u.station_);
    j.at("status").get_to(u.status_);
    u.als_capable_ = j.value("als_capable", false);
  }

private:
  std::string callsign_;
  std::string station_;
  std::string status_ = "available";
  bool als_capable_ = false;
};

struct Assignment {
  std::string incident_id;
  std::string callsign;
  std::int64_t dispatched_at = 0;
  int eta_seconds = 0;
  bool lights_and_siren = false;

  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(Assignment, incident_id, callsign, dispatched_at, eta_seconds) // expect: errorshield-json-field-coverage
};

struct HospitalHandover {
  std::string incident_id;
  std::string hospital;
  std::int64_t arrived_at = 0;
  std::int64_t handed_over_at = 0;
  std::string receiving_clinician;
};

void to_json(json &j, const HospitalHandover &h) {
  j = {{"incident_id", h.incident_id},
       {"hospital", h.hospital},
       {"arrived_at", h.arrived_at},
       {"handed_over_at", h.handed_over_at},
       {"receiving_clinician", h.receiving_clinician}};
}

void from_json(const json &j, HospitalHandover &h) { // expect: errorshield-json-field-coverage
  h.incident_id = j.at("incident_id");
  h.hospital = j.at("hospital");
  h.arrived_at = j.at("arrived_at");
  h.receiving_clinician = j.value("receiving_clinician", "");
}

} // namespace cad

// Pushes dispatch traffic to one crew tablet.
class TabletFeed : public std::enable_shared_from_this<TabletFeed> {
public:
  explicit TabletFeed(tcp::socket s) : ws_(std::move(s)) {}

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_ack();
    });
  }

  void publish(const cad::Incident &inc, const cad::Assignment &a) {
    json msg = {{"type", "dispatch"}, {"incident", inc}, {"assignment", a},
                {"sent", std::chrono::system_clock::now()}};
    out_.push_back(msg.dump());
    if (out_.size() == 1)
      write_next();
  }

private:
  void write_next() {
    ws_.async_write(net::buffer(out_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->out_.pop_front();
      if (!self->out_.empty())
        self->write_next();
    });
  }

  void read_ack() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      json ack = json::parse(beast::buffers_to_string(self->in_.data()), nullptr, false);
      self->in_.consume(self->in_.size());
      if (ack.is_object() && ack.value("type", "") == "handover") {
        auto h = ack.at("handover").get<cad::HospitalHandover>();
        std::ofstream("/var/lib/cad/handover-" + h.incident_id + ".json") << json(h).dump(2);
      }
      self->read_ack();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::deque<std::string> out_;
};

int main() {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 9443});
  acc.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (ec)
      return;
    auto feed = std::make_shared<TabletFeed>(std::move(s));
    feed->start();
    cad::Incident inc{"INC-0042", "12 Quay St", {51.5, -0.12, 8.0}, cad::Priority::delta, "09D01", {}};
    cad::Assignment a{"INC-0042", "MEDIC-7", 1710400000, 420, true};
    feed->publish(inc, a);

    cad::MedicalCall call;
    call.call_id = "C-991";
    call.chief_complaint = "chest pain";
    std::ofstream("/var/lib/cad/calls.jsonl", std::ios::app) << json(call).dump() << "\n";
    cad::Unit unit("MEDIC-7", "Harbour", true);
    std::ofstream("/var/lib/cad/units.jsonl", std::ios::app) << json(unit).dump() << "\n";
  });
  ioc.run();
}
