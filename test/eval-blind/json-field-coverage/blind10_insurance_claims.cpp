// checks: errorshield-json-field-coverage
// Claims workflow service: claim documents travel between the intake API,
// the adjuster queue and the payout engine as JSON.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

using json = nlohmann::json;

namespace claims {

enum class ClaimState { Submitted, UnderReview, Approved, Denied, Paid };

NLOHMANN_JSON_SERIALIZE_ENUM(ClaimState, {{ClaimState::Submitted, "submitted"},
                                          {ClaimState::UnderReview, "under_review"},
                                          {ClaimState::Approved, "approved"},
                                          {ClaimState::Denied, "denied"},
                                          {ClaimState::Paid, "paid"}})

struct Address {
  std::string street;
  std::string city;
  std::string postal_code;
  std::string country;
};
// OK: every member listed.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Address, street, city, postal_code, country)

struct Claimant {
  std::string customer_id;
  std::string full_name;
  std::string email;
  std::string phone;
  Address address;
};
// BUG: phone is missing, so adjusters lose the callback number.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Claimant, customer_id, full_name, email, address) // expect: errorshield-json-field-coverage

struct LineItem {
  std::string code;
  std::string description;
  std::int64_t claimed_cents = 0;
  std::int64_t deductible_cents = 0;
  std::int64_t approved_cents = 0;
};

// BUG: deductible_cents is never written.
void to_json(json &j, const LineItem &li) { // expect: errorshield-json-field-coverage
  j = json{{"code", li.code},
           {"description", li.description},
           {"claimed_cents", li.claimed_cents},
           {"approved_cents", li.approved_cents}};
}

void from_json(const json &j, LineItem &li) {
  j.at("code").get_to(li.code);
  j.at("description").get_to(li.description);
  j.at("claimed_cents").get_to(li.claimed_cents);
  li.deductible_cents = j.value("deductible_cents", std::int64_t{0});
  li.approved_cents = j.value("approved_cents", std::int64_t{0});
}

struct Attachment {
  std::string sha256;
  std::string mime_type;
  std::uint64_t size_bytes = 0;
  std::string uploaded_by;
};

// OK: key names differ from member names but all four are covered.
void to_json(json &j, const Attachment &a) {
  j["hash"] = a.sha256;
  j["type"] = a.mime_type;
  j["bytes"] = a.size_bytes;
  j["uploader"] = a.uploaded_by;
}

// BUG: uploaded_by is never read back, audit trail shows an empty uploader.
void from_json(const json &j, Attachment &a) { // expect: errorshield-json-field-coverage
  a.sha256 = j.at("hash").get<std::string>();
  a.mime_type = j.at("type").get<std::string>();
  a.size_bytes = j.at("bytes").get<std::uint64_t>();
}

class Claim {
public:
  Claim() = default;
  Claim(std::string id, Claimant who) : id_(std::move(id)), claimant_(std::move(who)) {}

  void add_item(LineItem li) { items_.push_back(std::move(li)); }
  void set_state(ClaimState s) { state_ = s; }
  const std::string &id() const { return id_; }

  // OK: all private members listed.
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Claim, id_, policy_number_, claimant_, items_,
                                 state_, incident_date_, notes_)

private:
  std::string id_;
  std::string policy_number_;
  Claimant claimant_;
  std::vector<LineItem> items_;
  ClaimState state_ = ClaimState::Submitted;
  std::string incident_date_;
  std::vector<std::string> notes_;
};

class AdjusterAssignment {
public:
  static constexpr int kMaxOpenClaims = 40; // not an instance field

  // BUG: the SLA deadline (due_by_) is dropped; claims re-imported lose their SLA.
  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(AdjusterAssignment, claim_id_, adjuster_id_, priority_) // expect: errorshield-json-field-coverage

private:
  std::string claim_id_;
  std::string adjuster_id_;
  int priority_ = 3;
  std::string due_by_;
};

struct PayoutInstruction {
  std::string claim_id;
  std::string iban;
  std::int64_t amount_cents = 0;
  std::string currency;
  std::optional<std::string> reference;
};

namespace detail {
void write_money(json &j, const PayoutInstruction &p) {
  j["amount_cents"] = p.amount_cents;
  j["currency"] = p.currency;
}
void read_money(const json &j, PayoutInstruction &p) {
  j.at("amount_cents").get_to(p.amount_cents);
  j.at("currency").get_to(p.currency);
}
} // namespace detail

// OK: amounts are handled by the helpers, the optional only when present.
void to_json(json &j, const PayoutInstruction &p) {
  j = json::object();
  j["claim_id"] = p.claim_id;
  j["iban"] = p.iban;
  detail::write_money(j, p);
  if (p.reference)
    j["reference"] = *p.reference;
}

void from_json(const json &j, PayoutInstruction &p) {
  j.at("claim_id").get_to(p.claim_id);
  j.at("iban").get_to(p.iban);
  detail::read_money(j, p);
  if (j.contains("reference"))
    p.reference = j.at("reference").get<std::string>();
  else
    p.reference.reset();
}

// Paged listing used by the adjuster dashboard.
template <class T> struct Page {
  std::vector<T> items;
  std::size_t total = 0;
  std::string next_cursor;
};

// BUG: next_cursor is never emitted, so the dashboard cannot fetch page 2.
template <class T> void to_json(json &j, const Page<T> &p) { // expect: errorshield-json-field-coverage
  j = json{{"items", p.items}, {"total", p.total}};
}

template <class T> void from_json(const json &j, Page<T> &p) {
  j.at("items").get_to(p.items);
  j.at("total").get_to(p.total);
  p.next_cursor = j.value("next_cursor", std::string{});
}

struct FraudSignal {
  std::string rule;
  double score = 0.0;
  bool blocking = false;
};
// OK: all three.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FraudSignal, rule, score, blocking)

std::string render_claim_page(const Page<Claim> &page) {
  json j = page;
  return j.dump();
}

Page<Claim> parse_claim_page(const std::string &body) {
  return json::parse(body).get<Page<Claim>>();
}

std::string export_payout(const PayoutInstruction &p) { return json(p).dump(); }

} // namespace claims
