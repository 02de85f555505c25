// checks: errorshield-json-field-coverage
// Veterinary clinic appointments API: front desk books visits, vets read the
// patient chart, pharmacy fills prescriptions, billing issues invoices.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace clinic {

struct Owner {
  std::int64_t id = 0;
  std::string name;
  std::string phone;
  std::string email;
  std::string address;
};

inline void to_json(json& j, const Owner& o) {
  j = json{{"id", o.id}, {"name", o.name}, {"phone", o.phone},
           {"email", o.email}, {"address", o.address}};
}

inline void from_json(const json& j, Owner& o) { // expect: errorshield-json-field-coverage
  j.at("id").get_to(o.id);
  j.at("name").get_to(o.name);
  j.at("phone").get_to(o.phone);
  j.at("email").get_to(o.email);
}

struct Pet {
  std::int64_t id = 0;
  std::int64_t owner_id = 0;
  std::string name;
  std::string species;
  std::string breed;
  double weight_kg = 0.0;
  std::string microchip;
};

inline void to_json(json& j, const Pet& p) { // expect: errorshield-json-field-coverage
  j["id"] = p.id;
  j["owner_id"] = p.owner_id;
  j["name"] = p.name;
  j["species"] = p.species;
  j["breed"] = p.breed;
  j["weight_kg"] = p.weight_kg;
}

inline void from_json(const json& j, Pet& p) {
  j.at("id").get_to(p.id);
  j.at("owner_id").get_to(p.owner_id);
  j.at("name").get_to(p.name);
  j.at("species").get_to(p.species);
  p.breed = j.value("breed", "");
  p.weight_kg = j.value("weight_kg", 0.0);
  p.microchip = j.value("microchip", "");
}

struct Vet {
  std::int64_t id = 0;
  std::string name;
  std::string specialty;
  bool on_call = false;
};

inline void to_json(json& j, const Vet& v) {
  j = {{"id", v.id}, {"name", v.name}, {"specialty", v.specialty}, {"on_call", v.on_call}};
}

inline void from_json(const json& j, Vet& v) {
  v.id = j.at("id").get<std::int64_t>();
  v.name = j.at("name").get<std::string>();
  v.specialty = j.value("specialty", "general");
  v.on_call = j.value("on_call", false);
}

struct Appointment {
  std::int64_t id = 0;
  std::int64_t pet_id = 0;
  std::int64_t vet_id = 0;
  std::string start_iso;
  int duration_min = 15;
  std::string reason;
  std::string notes;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Appointment, id, pet_id, vet_id, start_iso, duration_min, reason) // expect: errorshield-json-field-coverage

struct Prescription {
  std::int64_t id = 0;
  std::int64_t pet_id = 0;
  std::string drug;
  std::string dosage;
  int refills = 0;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Prescription, id, pet_id, drug, dosage, refills)

class Vaccination {
 public:
  Vaccination() = default;
  Vaccination(std::int64_t pet, std::string vaccine, std::string given, std::string lot)
      : pet_id_(pet), vaccine_(std::move(vaccine)), given_on_(std::move(given)),
        lot_number_(std::move(lot)) {}

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Vaccination, pet_id_, vaccine_, given_on_) // expect: errorshield-json-field-coverage

 private:
  std::int64_t pet_id_ = 0;
  std::string vaccine_;
  std::string given_on_;
  std::string lot_number_;
};

class Kennel {
 public:
  static constexpr int schema_version = 2;

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Kennel, run_no_, pet_id_, checked_in_)

 private:
  int run_no_ = 0;
  std::int64_t pet_id_ = 0;
  std::string checked_in_;
};

struct Invoice {
  std::int64_t id = 0;
  std::int64_t owner_id = 0;
  std::int64_t total_cents = 0;
  std::string currency = "EUR";
  bool paid = false;
};

}  // namespace clinic

namespace nlohmann {
template <>
struct adl_serializer<clinic::Invoice> {
  static void to_json(json& j, const clinic::Invoice& inv) { // expect: errorshield-json-field-coverage
    j = json::object();
    j["id"] = inv.id;
    j["owner_id"] = inv.owner_id;
    j["total_cents"] = inv.total_cents;
    j["currency"] = inv.currency;
  }

  static clinic::Invoice from_json(const json& j) {
    clinic::Invoice inv;
    inv.id = j.at("id");
    inv.owner_id = j.at("owner_id");
    inv.total_cents = j.at("total_cents");
    inv.currency = j.value("currency", "EUR");
    inv.paid = j.value("paid", false);
    return inv;
  }
};
}  // namespace nlohmann

namespace clinic {

class Registry {
 public:
  json book(const json& body) {
    auto appt = body.get<Appointment>();
    std::lock_guard<std::mutex> lk(mu_);
    appt.id = next_id_++;
    appointments_[appt.id] = appt;
    return appt;
  }

  json chart(std::int64_t pet_id) const {
    std::lock_guard<std::mutex> lk(mu_);
    json out = json::object();
    if (auto it = pets_.find(pet_id); it != pets_.end()) out["pet"] = it->second;
    json visits = json::array();
    for (const auto& [id, a] : appointments_)
      if (a.pet_id == pet_id) visits.push_back(a);
    out["visits"] = visits;
    return out;
  }

  void register_pet(const json& body) {
    auto pet = body.get<Pet>();
    std::lock_guard<std::mutex> lk(mu_);
    pets_[pet.id] = pet;
  }

 private:
  mutable std::mutex mu_;
  std::int64_t next_id_ = 1;
  std::map<std::int64_t, Appointment> appointments_;
  std::map<std::int64_t, Pet> pets_;
};

http::response<http::string_body> route(Registry& reg,
                                        const http::request<http::string_body>& req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  auto body = json::parse(req.body(), nullptr, false);
  if (req.method() == http::verb::post && req.target() == "/appointments") {
    res.body() = reg.book(body).dump();
  } else if (req.method() == http::verb::post && req.target() == "/pets") {
    reg.register_pet(body);
    res.result(http::status::created);
  } else if (req.target() == "/invoice") {
    auto inv = body.get<Invoice>();
    res.body() = json(inv).dump();
  } else if (req.target() == "/owner") {
    Owner o = body.get<Owner>();
    res.body() = json(o).dump();
  } else {
    res.result(http::status::not_found);
  }
  res.prepare_payload();
  return res;
}

asio::awaitable<void> serve(tcp::socket sock, Registry& reg) {
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(sock, buf, req, asio::use_awaitable);
    auto res = route(reg, req);
    co_await http::async_write(sock, res, asio::use_awaitable);
    if (!req.keep_alive()) break;
  }
}

}  // namespace clinic

int main() {
  asio::io_context ioc;
  clinic::Registry reg;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        tcp::acceptor acc(ioc, {tcp::v4(), 8443});
        for (;;) {
          auto s = co_await acc.async_accept(asio::use_awaitable);
          asio::co_spawn(ioc, clinic::serve(std::move(s), reg), asio::detached);
        }
      },
      asio::detached);
  ioc.run();
}
