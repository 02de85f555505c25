// checks: errorshield-json-field-coverage
// Visa application intake: accepts applications from the consulate web portal,
// stores them as JSON documents and books biometric appointments with the
// kiosk vendor.

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using nlohmann::json;

// Kiosk vendor SDK types (header shipped by the vendor, not ours to edit).
namespace kioskvendor {
struct BiometricSlot {
  std::string kiosk_id;
  std::string site_code;
  std::int64_t starts_at_epoch = 0;
  int slot_minutes = 15;
};
} // namespace kioskvendor

namespace visa {

struct Address {
  std::string street;
  std::string city;
  std::string postal_code;
  std::string country_iso;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Address, street, city, postal_code, country_iso)

struct TravelDocument {
  std::string passport_number;
  std::string issuing_country;
  std::string expires_on;   // ISO-8601 date
  std::string mrz_line;     // machine readable zone, both lines joined
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TravelDocument, passport_number, issuing_country, expires_on) // expect: errorshield-json-field-coverage

class Applicant {
public:
  static constexpr int kSchemaVersion = 3;

  Applicant() = default;
  Applicant(std::string given, std::string family)
      : given_name_(std::move(given)), family_name_(std::move(family)) {}

  const std::string& display_name() const { return family_name_; }
  bool is_minor(int current_year) const { return current_year - birth_year_ < 18; }

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Applicant, given_name_, family_name_, birth_year_, nationality_, home_address_, documents_)

private:
  std::string given_name_;
  std::string family_name_;
  int birth_year_ = 0;
  std::string nationality_;
  Address home_address_;
  std::vector<TravelDocument> documents_;
};

enum class VisaCategory { tourist, business, student, transit };

NLOHMANN_JSON_SERIALIZE_ENUM(VisaCategory, {
    {VisaCategory::tourist, "tourist"},
    {VisaCategory::business, "business"},
    {VisaCategory::student, "student"},
    {VisaCategory::transit, "transit"},
})

struct VisaApplication {
  std::string reference;
  VisaCategory category = VisaCategory::tourist;
  Applicant applicant;
  std::string consulate_code;
  std::string intended_entry;
  int stay_days = 0;
  std::optional<std::string> sponsor_letter_id;
  std::int64_t fee_cents = 0;
};

void to_json(json& j, const VisaApplication& a) {
  j = json{{"ref", a.reference},
           {"category", a.category},
           {"applicant", a.applicant},
           {"consulate", a.consulate_code},
           {"entry", a.intended_entry},
           {"stayDays", a.stay_days},
           {"feeCents", a.fee_cents}};
  if (a.sponsor_letter_id)
    j["sponsorLetter"] = *a.sponsor_letter_id;
}

void from_json(const json& j, VisaApplication& a) { // expect: errorshield-json-field-coverage
  j.at("ref").get_to(a.reference);
  j.at("category").get_to(a.category);
  j.at("applicant").get_to(a.applicant);
  j.at("entry").get_to(a.intended_entry);
  j.at("stayDays").get_to(a.stay_days);
  j.at("feeCents").get_to(a.fee_cents);
  if (auto it = j.find("sponsorLetter"); it != j.end() && !it->is_null())
    a.sponsor_letter_id = it->get<std::string>();
  else
    a.sponsor_letter_id.reset();
}

// Status transitions are appended to the case history.
struct StatusChange {
  std::string reference;
  std::string from_state;
  std::string to_state;
  std::string officer_id;
  std::int64_t at_epoch = 0;
};

namespace {
void put_transition(json& j, const StatusChange& s) {
  j["from"] = s.from_state;
  j["to"] = s.to_state;
}
} // namespace

void to_json(json& j, const StatusChange& s) {
  j = json::object();
  j["ref"] = s.reference;
  put_transition(j, s);
  j["officer"] = s.officer_id;
  j["at"] = s.at_epoch;
}

void from_json(const json& j, StatusChange& s) {
  s.reference = j.at("ref").get<std::string>();
  s.from_state = j.at("from").get<std::string>();
  s.to_state = j.at("to").get<std::string>();
  s.officer_id = j.value("officer", std::string{});
  s.at_epoch = j.value("at", std::int64_t{0});
}

// What the portal's dashboard lists; a different shape from the full case.
struct ApplicationSummary {
  std::string reference;
  std::string status;
  std::string consulate;
  int documents_missing = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ApplicationSummary, reference, status, consulate, documents_missing)

// Service configuration, read once at start-up from /etc/visa-intake/intake.json.
struct IntakeConfig {
  std::string listen_address = "0.0.0.0";
  unsigned short listen_port = 8443;
  std::string storage_dir = "/var/lib/visa-intake";
  std::size_t max_upload_bytes = 4 * 1024 * 1024;
  int appointment_horizon_days = 60;
};

void from_json(const json& j, IntakeConfig& c) { // expect: errorshield-json-field-coverage
  c.listen_address = j.value("listen_address", c.listen_address);
  c.listen_port = j.value("listen_port", c.listen_port);
  c.storage_dir = j.value("storage_dir", c.storage_dir);
  c.appointment_horizon_days = j.value("appointment_horizon_days", c.appointment_horizon_days);
}

IntakeConfig load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot open config " + path);
  json doc = json::parse(in, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  return doc.get<IntakeConfig>();
}

} // namespace visa

namespace nlohmann {
template <>
struct adl_serializer<kioskvendor::BiometricSlot> {
  static void to_json(json& j, const kioskvendor::BiometricSlot& s) { // expect: errorshield-json-field-coverage
    j = json{{"site", s.site_code},
             {"startsAt", s.starts_at_epoch},
             {"minutes", s.slot_minutes}};
  }

  static void from_json(const json& j, kioskvendor::BiometricSlot& s) {
    s.kiosk_id = j.at("kiosk").get<std::string>();
    s.site_code = j.at("site").get<std::string>();
    s.starts_at_epoch = j.at("startsAt").get<std::int64_t>();
    s.slot_minutes = j.value("minutes", 15);
  }
};
} // namespace nlohmann

namespace visa {

struct QueueStats {
  std::size_t pending = 0;
  std::size_t in_review = 0;
  std::size_t oldest_age_hours = 0;
  std::string last_error;
};

class IntakeService {
public:
  explicit IntakeService(IntakeConfig cfg) : cfg_(std::move(cfg)) {}

  http::response<http::string_body> handle(const http::request<http::string_body>& req) {
    if (req.method() == http::verb::post && req.target() == "/applications")
      return submit(req);
    if (req.method() == http::verb::get && req.target() == "/queue")
      return queue_status(req);
    return reply(req, http::status::not_found, json{{"error", "no such endpoint"}});
  }

private:
  http::response<http::string_body> submit(const http::request<http::string_body>& req) {
    if (req.body().size() > cfg_.max_upload_bytes)
      return reply(req, http::status::payload_too_large, json{{"error", "too large"}});

    VisaApplication app;
    try {
      app = json::parse(req.body()).get<VisaApplication>();
    } catch (const json::exception& e) {
      return reply(req, http::status::bad_request, json{{"error", e.what()}});
    }

    {
      std::lock_guard lk(mu_);
      cases_[app.reference] = app;
      ++stats_.pending;
    }
    persist(app);

    ApplicationSummary summary{app.reference, "received", app.consulate_code, 0};
    return reply(req, http::status::created, summary);
  }

  http::response<http::string_body> queue_status(const http::request<http::string_body>& req) {
    json body;
    {
      std::lock_guard lk(mu_);
      // The public endpoint only exposes counters, never internal errors.
      body["pending"] = stats_.pending;
      body["inReview"] = stats_.in_review;
    }
    return reply(req, http::status::ok, body);
  }

  void persist(const VisaApplication& app) {
    std::ofstream out(cfg_.storage_dir + "/" + app.reference + ".json", std::ios::trunc);
    out << json(app).dump(2);
    if (!out) {
      std::lock_guard lk(mu_);
      stats_.last_error = "write failed for " + app.reference;
    }
  }

  static http::response<http::string_body> reply(const http::request<http::string_body>& req,
                                                 http::status st, const json& body) {
    http::response<http::string_body> res{st, req.version()};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.body() = body.dump();
    res.prepare_payload();
    return res;
  }

  IntakeConfig cfg_;
  std::mutex mu_;
  std::map<std::string, VisaApplication> cases_;
  QueueStats stats_;
};

json booking_request(const VisaApplication& app, const kioskvendor::BiometricSlot& slot) {
  json j;
  j["application"] = app.reference;
  j["slot"] = slot;
  j["history"] = json::array();
  j["history"].push_back(StatusChange{app.reference, "received", "biometrics_booked", "system",
                                      std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count()});
  return j;
}

} // namespace visa
