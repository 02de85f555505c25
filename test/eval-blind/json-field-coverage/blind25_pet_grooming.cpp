// checks: errorshield-json-field-coverage
// Pet grooming salon booking API: pets, owners, appointments, groomers,
// invoices. JSON over HTTP (Beast) for the front desk and the mobile app.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace grooming {

struct Pet {
  std::string name;
  std::string species;
  std::string breed;
  int age_years = 0;
  double weight_kg = 0;
  std::vector<std::string> allergies;
};

void to_json(json &j, const Pet &p) {
  j = json{{"name", p.name},           {"species", p.species},     {"breed", p.breed},
           {"age_years", p.age_years}, {"weight_kg", p.weight_kg}, {"allergies", p.allergies}};
}

void from_json(const json &j, Pet &p) { // expect: errorshield-json-field-coverage
  j.at("name").get_to(p.name);
  j.at("species").get_to(p.species);
  p.breed = j.value("breed", "");
  p.age_years = j.value("age_years", 0);
  p.weight_kg = j.value("weight_kg", 0.0);
}

struct Owner {
  std::int64_t id = 0;
  std::string full_name;
  std::string phone;
  std::string email;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Owner, id, full_name, phone) // expect: errorshield-json-field-coverage

struct Service {
  std::string code;
  std::string label;
  std::int64_t price_cents = 0;
  int minutes = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Service, code, label, price_cents, minutes)

struct Appointment {
  std::int64_t id = 0;
  std::string pet_name;
  std::string groomer;
  std::string start; // ISO-8601
  int duration_min = 60;
  std::vector<std::string> services;
  std::string notes;
};

// Mobile app uses short keys.
void to_json(json &j, const Appointment &a) { // expect: errorshield-json-field-coverage
  j = json::object();
  j["id"] = a.id;
  j["pet"] = a.pet_name;
  j["start"] = a.start;
  j["min"] = a.duration_min;
  j["services"] = a.services;
  j["notes"] = a.notes;
}

void from_json(const json &j, Appointment &a) {
  j.at("id").get_to(a.id);
  j.at("pet").get_to(a.pet_name);
  j.at("groomer").get_to(a.groomer);
  j.at("start").get_to(a.start);
  a.duration_min = j.value("min", 60);
  a.services = j.value("services", std::vector<std::string>{});
  a.notes = j.value("notes", "");
}

class GroomerProfile {
public:
  GroomerProfile() = default;
  GroomerProfile(int id, std::string name) : id_(id), name_(std::move(name)) {}
  const std::string &name() const { return name_; }
  void certify(std::string c) { certifications_.push_back(std::move(c)); }

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(GroomerProfile, id_, name_, rating_) // expect: errorshield-json-field-coverage

private:
  int id_ = 0;
  std::string name_;
  double rating_ = 5.0;
  std::vector<std::string> certifications_;
};

struct Kennel {
  static constexpr int kMaxKennels = 24;
  int number = 0;
  std::string size; // S, M, L, XL
  std::optional<std::string> occupant;

  bool free() const { return !occupant.has_value(); }
};

void to_json(json &j, const Kennel &k) {
  j = {{"number", k.number}, {"size", k.size}};
  j["occupant"] = k.occupant ? json(*k.occupant) : json(nullptr);
}

void from_json(const json &j, Kennel &k) {
  j.at("number").get_to(k.number);
  j.at("size").get_to(k.size);
  if (j.contains("occupant") && !j["occupant"].is_null())
    k.occupant = j["occupant"].get<std::string>();
  else
    k.occupant.reset();
}

struct Invoice {
  std::int64_t id = 0;
  std::int64_t subtotal_cents = 0;
  std::int64_t tax_cents = 0;
  std::int64_t tip_cents = 0;
  std::string paid_with;
};

struct OwnerContact {
  std::string phone;
  std::string email;
  bool sms_reminders = true;
};

void to_json(json &j, const OwnerContact &c) {
  j = {{"contact", {{"phone", c.phone}, {"email", c.email}}}, {"sms", c.sms_reminders}};
}

template <class T> struct Page {
  std::vector<T> items;
  int page = 1;
  int page_size = 20;
  int total = 0;
};

template <class T> void to_json(json &j, const Page<T> &p) { // expect: errorshield-json-field-coverage
  j = {{"items", p.items}, {"page", p.page}, {"page_size", p.page_size}};
}

} // namespace grooming

namespace nlohmann {
template <> struct adl_serializer<grooming::Invoice> {
  static void to_json(json &j, const grooming::Invoice &inv) { // expect: errorshield-json-field-coverage
    j = {{"id", inv.id},
         {"subtotal_cents", inv.subtotal_cents},
         {"tax_cents", inv.tax_cents},
         {"paid_with", inv.paid_with}};
  }
  static void from_json(const json &j, grooming::Invoice &inv) {
    j.at("id").get_to(inv.id);
    j.at("subtotal_cents").get_to(inv.subtotal_cents);
    j.at("tax_cents").get_to(inv.tax_cents);
    j.at("tip_cents").get_to(inv.tip_cents);
    j.at("paid_with").get_to(inv.paid_with);
  }
};
} // namespace nlohmann

namespace grooming {

http::response<http::string_body> handle(const http::request<http::string_body> &req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  try {
    if (req.target() == "/pets" && req.method() == http::verb::post) {
      Pet p = json::parse(req.body()).get<Pet>();
      res.body() = json(p).dump();
    } else if (req.target() == "/appointments") {
      Page<Appointment> page;
      page.items.push_back(Appointment{1, "Biscuit", "Dana", "2024-05-02T10:00", 90,
                                       {"bath", "nail-trim"}, "nervous around dryers"});
      page.total = 1;
      res.body() = json(page).dump();
    } else if (req.target() == "/invoice") {
      auto inv = json::parse(req.body()).get<Invoice>();
      res.body() = json(inv).dump();
    } else if (req.target() == "/kennels") {
      std::vector<Kennel> ks{{1, "M", std::nullopt}, {2, "L", "Rex"}};
      res.body() = json(ks).dump();
    } else if (req.target() == "/groomers") {
      GroomerProfile g{7, "Dana"};
      g.certify("NCMG");
      res.body() = json(g).dump();
    } else if (req.target() == "/owners") {
      auto o = json::parse(req.body()).get<Owner>();
      res.body() = json{{"owner", o}, {"contact", OwnerContact{o.phone, o.email, true}}}.dump();
    } else {
      res.result(http::status::not_found);
      res.body() = R"({"error":"not found"})";
    }
  } catch (const json::exception &e) {
    res.result(http::status::bad_request);
    res.body() = json{{"error", e.what()}}.dump();
  }
  res.prepare_payload();
  return res;
}

} // namespace grooming

int main() {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, {tcp::v4(), 8081});
  for (;;) {
    tcp::socket sock = acceptor.accept();
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    beast::error_code ec;
    http::read(sock, buf, req, ec);
    if (ec)
      continue;
    http::write(sock, grooming::handle(req), ec);
  }
}
