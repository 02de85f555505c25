// checks: errorshield-json-field-coverage
// Animal shelter intake service. Intake desk, vet room and the adoption
// website all talk to this process; records are persisted as JSON lines.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace shelter {

enum class Species { dog, cat, rabbit, other };
NLOHMANN_JSON_SERIALIZE_ENUM(Species, {{Species::dog, "dog"},
                                       {Species::cat, "cat"},
                                       {Species::rabbit, "rabbit"},
                                       {Species::other, "other"}})

enum class IntakeReason { stray, surrender, transfer, seized };
NLOHMANN_JSON_SERIALIZE_ENUM(IntakeReason, {{IntakeReason::stray, "stray"},
                                            {IntakeReason::surrender, "surrender"},
                                            {IntakeReason::transfer, "transfer"},
                                            {IntakeReason::seized, "seized"}})

struct Finder {
  std::string name;
  std::string phone;
  std::string found_at;

  friend void to_json(json& j, const Finder& f) {
    j = json{{"name", f.name}, {"phone", f.phone}, {"found_at", f.found_at}};
  }
  friend void from_json(const json& j, Finder& f) {
    f.name = j.value("name", "");
    f.phone = j.value("phone", "");
    f.found_at = j.value("found_at", "");
  }
};

struct Intake {
  std::string animal_id;
  Species species = Species::other;
  std::string breed;
  std::string colour;
  double weight_kg = 0;
  std::string microchip;
  IntakeReason reason = IntakeReason::stray;
  std::optional<Finder> finder;
  std::int64_t received_at = 0;

  friend void to_json(json& j, const Intake& i) {
    j["animal_id"] = i.animal_id;
    j["species"] = i.species;
    j["breed"] = i.breed;
    j["colour"] = i.colour;
    j["weight_kg"] = i.weight_kg;
    j["microchip"] = i.microchip;
    j["reason"] = i.reason;
    if (i.finder) j["finder"] = *i.finder;
    j["received_at"] = i.received_at;
  }

  friend void from_json(const json& j, Intake& i) { // expect: errorshield-json-field-coverage
    i.animal_id = j.at("animal_id").get<std::string>();
    i.species = j.at("species").get<Species>();
    i.breed = j.value("breed", "unknown");
    i.colour = j.value("colour", "");
    i.weight_kg = j.value("weight_kg", 0.0);
    i.reason = j.at("reason").get<IntakeReason>();
    if (j.contains("finder")) i.finder = j["finder"].get<Finder>();
    i.received_at = j.value("received_at", std::int64_t{0});
  }
};

struct Vaccination {
  std::string vaccine;
  std::string batch;
  std::string given_on;
  std::string due_on;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Vaccination, vaccine, batch, given_on) // expect: errorshield-json-field-coverage

struct MedicalRecord {
  std::string animal_id;
  bool neutered = false;
  std::vector<Vaccination> vaccinations;
  std::vector<std::string> conditions;
  std::string vet;
};

struct KennelAssignment {
  std::string animal_id;
  std::string kennel;
  std::string ward;
  bool isolation = false;
};

struct AdoptionHold {
  std::string animal_id;
  std::string applicant;
  std::int64_t expires_at = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AdoptionHold, animal_id, applicant, expires_at)

// Public adoption site only gets a short card; microchip and finder details
// stay internal.
json listing_card(const Intake& i, const MedicalRecord& m) {
  return json{{"id", i.animal_id}, {"species", i.species}, {"breed", i.breed}, {"neutered", m.neutered}};
}

}  // namespace shelter

namespace nlohmann {

template <>
struct adl_serializer<shelter::MedicalRecord> {
  static void to_json(json& j, const shelter::MedicalRecord& m) { // expect: errorshield-json-field-coverage
    j = json{{"animal_id", m.animal_id},
             {"neutered", m.neutered},
             {"vaccinations", m.vaccinations},
             {"vet", m.vet}};
  }
  static void from_json(const json& j, shelter::MedicalRecord& m) {
    j.at("animal_id").get_to(m.animal_id);
    j.at("neutered").get_to(m.neutered);
    j.at("vaccinations").get_to(m.vaccinations);
    j.at("conditions").get_to(m.conditions);
    j.at("vet").get_to(m.vet);
  }
};

template <>
struct adl_serializer<shelter::KennelAssignment> {
  static void to_json(ordered_json& j, const shelter::KennelAssignment& k) {
    j["animal_id"] = k.animal_id;
    j["kennel"] = k.kennel;
    j["ward"] = k.ward;
    j["isolation"] = k.isolation;
  }
  static void to_json(json& j, const shelter::KennelAssignment& k) {
    ordered_json o;
    to_json(o, k);
    j = json::parse(o.dump());
  }
  static void from_json(const json& j, shelter::KennelAssignment& k) { // expect: errorshield-json-field-coverage
    k.animal_id = j.at("animal_id");
    k.kennel = j.at("kennel");
    k.ward = j.at("ward");
  }
};

}  // namespace nlohmann

namespace shelter {

// Foster placements: stored per carer, template over the id type because
// the county transfer system uses numeric ids.
template <class Id>
struct Foster {
  Id carer_id{};
  std::string animal_id;
  std::string start;
  std::string end;
  std::string notes;
};

template <class Id>
void to_json(json& j, const Foster<Id>& f) {
  j = {{"carer_id", f.carer_id}, {"animal_id", f.animal_id}, {"start", f.start}, {"end", f.end},
       {"notes", f.notes}};
}

template <class Id>
void from_json(const json& j, Foster<Id>& f) { // expect: errorshield-json-field-coverage
  f.carer_id = j.at("carer_id").template get<Id>();
  f.animal_id = j.at("animal_id").template get<std::string>();
  f.start = j.at("start").template get<std::string>();
  f.end = j.value("end", std::string{});
}

}  // namespace shelter

class IntakeDesk {
public:
  explicit IntakeDesk(const std::string& journal) : journal_(journal, std::ios::app) {}

  http::response<http::string_body> handle(const http::request<http::string_body>& req) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    auto j = json::parse(req.body(), nullptr, false);
    if (j.is_discarded()) {
      res.result(http::status::bad_request);
      res.prepare_payload();
      return res;
    }
    std::string target(req.target());
    if (target == "/intake") {
      auto in = j.get<shelter::Intake>();
      intakes_[in.animal_id] = in;
      journal_ << json(in).dump() << '\n';
    } else if (target == "/medical") {
      auto m = j.get<shelter::MedicalRecord>();
      medical_[m.animal_id] = m;
      journal_ << json(m).dump() << '\n';
    } else if (target == "/kennel") {
      auto k = j.get<shelter::KennelAssignment>();
      journal_ << json(k).dump() << '\n';
    } else if (target == "/foster") {
      auto f = j.get<shelter::Foster<std::int64_t>>();
      journal_ << json(f).dump() << '\n';
    } else if (target == "/hold") {
      journal_ << json(j.get<shelter::AdoptionHold>()).dump() << '\n';
    } else if (target == "/listing") {
      auto id = j.value("id", "");
      res.body() = shelter::listing_card(intakes_[id], medical_[id]).dump();
    }
    res.prepare_payload();
    return res;
  }

private:
  std::ofstream journal_;
  std::unordered_map<std::string, shelter::Intake> intakes_;
  std::unordered_map<std::string, shelter::MedicalRecord> medical_;
};

int main() {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8070});
  IntakeDesk desk("/var/lib/shelter/journal.jsonl");
  for (;;) {
    tcp::socket s(ioc);
    acc.accept(s);
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    beast::error_code ec;
    http::read(s, buf, req, ec);
    if (!ec) http::write(s, desk.handle(req), ec);
  }
}
