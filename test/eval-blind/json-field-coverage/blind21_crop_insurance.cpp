// checks: errorshield-json-field-coverage
// Crop insurance claims API. Growers (or their agents) file loss claims
// against a multi-peril policy; adjusters attach field inspections; the
// underwriting service pulls policy data. Everything travels as JSON.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace cropins {

// Amounts are whole cents; areas are hundredths of an acre.
struct FieldUnit {
  std::string fsa_farm;   // FSA farm number
  std::string tract;
  int field_no = 0;
  std::int64_t acres_x100 = 0;
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(FieldUnit, fsa_farm, tract, field_no, acres_x100)
};

struct Policy {
  std::string policy_no;
  std::string crop;          // "corn", "soybeans", "winter wheat"
  std::string plan;          // "RP", "YP", "RP-HPE"
  int coverage_level = 75;   // percent
  std::int64_t aph_yield_x100 = 0;
  std::int64_t premium_cents = 0;
  std::vector<FieldUnit> units;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Policy, policy_no, crop, plan, coverage_level, premium_cents, units)  // expect: errorshield-json-field-coverage

struct Claim {
  std::string claim_no;
  std::string policy_no;
  std::string loss_date;     // ISO-8601
  std::string cause;         // "hail", "drought", "excess moisture"
  std::int64_t claimed_cents = 0;
  bool replant = false;
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Claim, claim_no, policy_no, loss_date, claimed_cents, replant)  // expect: errorshield-json-field-coverage
};

// Adjuster's field inspection.
struct Inspection {
  std::string claim_no;
  std::string adjuster_id;
  std::int64_t appraised_yield_x100 = 0;
  int stand_count = 0;
  std::vector<std::string> photo_ids;
  std::string notes;
};

void to_json(json& j, const Inspection& in) {
  j = json{{"claim", in.claim_no},
           {"adjuster", in.adjuster_id},
           {"appraised_yield", in.appraised_yield_x100},
           {"stand_count", in.stand_count},
           {"photos", in.photo_ids},
           {"notes", in.notes}};
}

void from_json(const json& j, Inspection& in) {  // expect: errorshield-json-field-coverage
  j.at("claim").get_to(in.claim_no);
  j.at("adjuster").get_to(in.adjuster_id);
  j.at("appraised_yield").get_to(in.appraised_yield_x100);
  j.at("stand_count").get_to(in.stand_count);
  j.at("notes").get_to(in.notes);
}

// Indemnity calculation result sent back to the grower portal.
struct Indemnity {
  std::string claim_no;
  std::int64_t liability_cents = 0;
  std::int64_t production_to_count_x100 = 0;
  std::int64_t indemnity_cents = 0;
  std::string status;  // "pending", "approved", "paid"
};

void to_json(json& j, const Indemnity& d) {  // expect: errorshield-json-field-coverage
  j["claim_no"] = d.claim_no;
  j["liability_cents"] = d.liability_cents;
  j["indemnity_cents"] = d.indemnity_cents;
  j["status"] = d.status;
}

void from_json(const json& j, Indemnity& d) {
  d.claim_no = j.at("claim_no").get<std::string>();
  d.liability_cents = j.at("liability_cents").get<std::int64_t>();
  d.production_to_count_x100 = j.value("production_to_count_x100", std::int64_t{0});
  d.indemnity_cents = j.at("indemnity_cents").get<std::int64_t>();
  d.status = j.value("status", "pending");
}

// Prevented-planting supplement: optional fields default when absent.
struct PreventedPlanting {
  std::string claim_no;
  std::int64_t eligible_acres_x100 = 0;
  int final_plant_day = 0;
  bool second_crop = false;
  std::string reason;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PreventedPlanting, claim_no, eligible_acres_x100, final_plant_day, second_crop, reason)

// Weather-station evidence attached to drought and hail claims.
struct WeatherEvidence {
  static constexpr const char* kSource = "NOAA-GHCN";
  std::string station_id;
  std::string date;
  int hail_diameter_mm = 0;
  int rainfall_mm = 0;
  bool corroborates() const { return hail_diameter_mm > 19 || rainfall_mm < 5; }
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(WeatherEvidence, station_id, date, hail_diameter_mm, rainfall_mm)
};

// Paged list responses share one envelope.
template <class T>
struct Page {
  std::vector<T> items;
  std::size_t total = 0;
  std::string next_cursor;
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Page, items, total)  // expect: errorshield-json-field-coverage
};

// Reinsurance year summary (outbound only, to the AIP ledger).
struct ReinsuranceSummary {
  int reinsurance_year = 0;
  std::string state_code;
  std::int64_t total_liability_cents = 0;
  std::int64_t total_premium_cents = 0;
  std::int64_t total_indemnity_cents = 0;
};

void to_json(json& j, const ReinsuranceSummary& r) {
  j = json::object();
  j["ry"] = r.reinsurance_year;
  j["state"] = r.state_code;
  j["liability"] = r.total_liability_cents;
  j["premium"] = r.total_premium_cents;
  j["indemnity"] = r.total_indemnity_cents;
}

// Agent contact on a claim; the portal only ever sends it.
struct AgentContact {
  std::string agency;
  std::string agent_name;
  std::string phone;
  std::optional<std::string> email;
};

void from_json(const json& j, AgentContact& a) {
  j.at("agency").get_to(a.agency);
  j.at("agent_name").get_to(a.agent_name);
  j.at("phone").get_to(a.phone);
  if (j.contains("email")) a.email = j["email"].get<std::string>();
}

// ---------------------------------------------------------------------------
// HTTP handlers
http::response<http::string_body> handle(const http::request<http::string_body>& req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  try {
    auto body = json::parse(req.body());
    if (req.target() == "/claims" && req.method() == http::verb::post) {
      Claim c = body.get<Claim>();
      res.body() = json{{"accepted", c.claim_no}}.dump();
    } else if (req.target() == "/inspections" && req.method() == http::verb::post) {
      Inspection in = body.get<Inspection>();
      res.body() = json(in).dump();
    } else if (req.target() == "/indemnity") {
      Indemnity d = body.get<Indemnity>();
      res.body() = json(d).dump();
    } else if (req.target() == "/policies/page") {
      Page<Policy> page = body.get<Page<Policy>>();
      res.body() = json(page).dump();
    } else if (req.target() == "/pp") {
      res.body() = json(body.get<PreventedPlanting>()).dump();
    } else if (req.target() == "/weather") {
      res.body() = json(body.get<WeatherEvidence>()).dump();
    } else if (req.target() == "/agent") {
      AgentContact a = body.get<AgentContact>();
      res.body() = json{{"agency", a.agency}}.dump();
    } else {
      res.result(http::status::not_found);
      res.body() = "{}";
    }
  } catch (const json::exception& e) {
    res.result(http::status::bad_request);
    res.body() = json{{"error", e.what()}}.dump();
  }
  res.prepare_payload();
  return res;
}

asio::awaitable<void> session(tcp::socket sock) {
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(sock, buf, req, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    auto res = handle(req);
    co_await http::async_write(sock, res, asio::use_awaitable);
    if (!req.keep_alive()) co_return;
  }
}

asio::awaitable<void> listen(unsigned short port) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, {tcp::v4(), port});
  for (;;) {
    auto s = co_await acc.async_accept(asio::use_awaitable);
    asio::co_spawn(ex, session(std::move(s)), asio::detached);
  }
}

}  // namespace cropins

int main() {
  asio::io_context ioc;
  asio::co_spawn(ioc, cropins::listen(8088), asio::detached);
  std::clog << json(cropins::ReinsuranceSummary{2024, "IA", 0, 0, 0}).dump() << "\n";
  ioc.run();
}
