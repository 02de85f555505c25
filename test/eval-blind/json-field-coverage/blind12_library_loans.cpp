// checks: errorshield-json-field-coverage
// Loan event stream for the branch circulation service. Events are produced by
// the checkout desks and self-service kiosks and fanned out over WebSocket to
// the catalogue, the fines ledger and the notification service.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace circ {

using json = nlohmann::json;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

enum class LoanAction { checkout, renew, checkin, lost, claimed_returned };

NLOHMANN_JSON_SERIALIZE_ENUM(LoanAction, {
    {LoanAction::checkout, "checkout"},
    {LoanAction::renew, "renew"},
    {LoanAction::checkin, "checkin"},
    {LoanAction::lost, "lost"},
    {LoanAction::claimed_returned, "claimed_returned"},
})

// Branch identifiers as the ILS exposes them.
struct BranchRef {
  std::string code;
  std::string display_name;
  int region = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BranchRef, code, display_name, region)

// Core event. `renewal_count` was added when the kiosks started to renew on
// their own; the catalogue uses it to decide whether a hold can pre-empt.
struct LoanEvent {
  std::uint64_t event_id = 0;
  std::string patron_barcode;
  std::string item_barcode;
  LoanAction action = LoanAction::checkout;
  std::int64_t due_epoch = 0;
  int renewal_count = 0;
  BranchRef branch;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LoanEvent, event_id, patron_barcode, item_barcode, action, due_epoch, branch) // expect: errorshield-json-field-coverage

// Hold placed by a patron. Every member is mapped; optional fields fall back
// to defaults when older desks omit them.
struct HoldRequest {
  std::string patron_barcode;
  std::string title_id;
  std::string pickup_branch;
  int queue_position = 0;
  bool notify_sms = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HoldRequest, patron_barcode, title_id, pickup_branch, queue_position, notify_sms)

// Patron summary kept inside the session; the class maps its private state
// itself so the invariants stay hidden.
class PatronSnapshot {
public:
  PatronSnapshot() = default;
  PatronSnapshot(std::string barcode, int loans, int holds, bool blocked)
      : barcode_(std::move(barcode)), active_loans_(loans), active_holds_(holds), blocked_(blocked) {}

  bool can_borrow() const { return !blocked_ && active_loans_ < kMaxLoans; }
  const std::string &barcode() const { return barcode_; }

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(PatronSnapshot, barcode_, active_loans_, active_holds_) // expect: errorshield-json-field-coverage

private:
  static constexpr int kMaxLoans = 40;
  std::string barcode_;
  int active_loans_ = 0;
  int active_holds_ = 0;
  bool blocked_ = false;
};

// Overdue notice sent to the notification service. Hand-written because the
// wire names predate the C++ names.
struct OverdueNotice {
  std::string patron_barcode;
  std::string item_barcode;
  std::string title;
  int days_overdue = 0;
  std::optional<std::string> email;
};

inline void to_json(json &j, const OverdueNotice &n) {
  j = json{{"patron", n.patron_barcode},
           {"item", n.item_barcode},
           {"title", n.title},
           {"days", n.days_overdue}};
  if (n.email)
    j["email"] = *n.email;
}

inline void from_json(const json &j, OverdueNotice &n) {
  j.at("patron").get_to(n.patron_barcode);
  j.at("item").get_to(n.item_barcode);
  j.at("title").get_to(n.title);
  j.at("days").get_to(n.days_overdue);
  if (auto it = j.find("email"); it != j.end() && !it->is_null())
    n.email = it->get<std::string>();
  else
    n.email.reset();
}

// Kiosk heartbeat. Serialisation of the shared header is factored into a
// helper that several kiosk messages use.
struct KioskStatus {
  std::string kiosk_id;
  std::string branch_code;
  std::int64_t sent_at = 0;
  bool printer_ok = true;
  bool rfid_pad_ok = true;
  int queue_depth = 0;
};

namespace detail {
inline void write_kiosk_header(json &j, const std::string &kiosk, const std::string &branch,
                               std::int64_t sent_at) {
  j["kiosk"] = kiosk;
  j["branch"] = branch;
  j["ts"] = sent_at;
}
} // namespace detail

inline void to_json(json &j, const KioskStatus &s) {
  detail::write_kiosk_header(j, s.kiosk_id, s.branch_code, s.sent_at);
  j["printer_ok"] = s.printer_ok;
  j["rfid_ok"] = s.rfid_pad_ok;
  j["queue"] = s.queue_depth;
}

inline void from_json(const json &j, KioskStatus &s) { // expect: errorshield-json-field-coverage
  j.at("kiosk").get_to(s.kiosk_id);
  j.at("branch").get_to(s.branch_code);
  j.at("ts").get_to(s.sent_at);
  j.at("printer_ok").get_to(s.printer_ok);
  j.at("queue").get_to(s.queue_depth);
}

// Fine assessed on return. Amounts travel in minor units.
struct FineAssessment {
  std::string patron_barcode;
  std::string item_barcode;
  std::int64_t amount_cents = 0;
  std::string reason;
  bool waived = false;
};

inline void to_json(json &j, const FineAssessment &f) {
  j = json::object();
  j["patron"] = f.patron_barcode;
  j["item"] = f.item_barcode;
  j["amount_cents"] = f.amount_cents;
  j["reason"] = f.reason;
  j["waived"] = f.waived;
}

inline void from_json(const json &j, FineAssessment &f) {
  f.patron_barcode = j.at("patron").get<std::string>();
  f.item_barcode = j.at("item").get<std::string>();
  f.amount_cents = j.at("amount_cents").get<std::int64_t>();
  f.reason = j.value("reason", std::string{});
  f.waived = j.value("waived", false);
}

// Paged replies from the history endpoint. Templated over the row type so the
// same envelope serves loans, holds and fines.
template <class Row>
struct Page {
  std::vector<Row> rows;
  std::size_t total = 0;
  std::string next_cursor;
};

template <class Row>
void to_json(json &j, const Page<Row> &p) { // expect: errorshield-json-field-coverage
  j["rows"] = p.rows;
  j["total"] = p.total;
}

template <class Row>
void from_json(const json &j, Page<Row> &p) {
  j.at("rows").get_to(p.rows);
  j.at("total").get_to(p.total);
  p.next_cursor = j.value("next", std::string{});
}

// Fan-out session: writes one JSON line per event to a subscriber.
class EventPublisher {
public:
  explicit EventPublisher(websocket::stream<beast::tcp_stream> &ws) : ws_(ws) {}

  void publish(const LoanEvent &ev, boost::system::error_code &ec) {
    json envelope{{"type", "loan"}, {"data", ev}};
    auto text = envelope.dump();
    ws_.text(true);
    ws_.write(boost::asio::buffer(text), ec);
  }

  void publish_page(const Page<FineAssessment> &page, boost::system::error_code &ec) {
    json envelope{{"type", "fines"}, {"data", page}};
    auto text = envelope.dump();
    ws_.text(true);
    ws_.write(boost::asio::buffer(text), ec);
  }

private:
  websocket::stream<beast::tcp_stream> &ws_;
};

inline std::optional<LoanEvent> parse_event(const std::string &raw) {
  auto j = json::parse(raw, nullptr, false);
  if (j.is_discarded() || !j.contains("data"))
    return std::nullopt;
  try {
    return j.at("data").get<LoanEvent>();
  } catch (const json::exception &) {
    return std::nullopt;
  }
}

inline KioskStatus parse_kiosk(const std::string &raw) {
  return json::parse(raw).get<KioskStatus>();
}

inline std::string render_notice(const OverdueNotice &n) { return json(n).dump(); }

inline HoldRequest parse_hold(const std::string &raw) { return json::parse(raw).get<HoldRequest>(); }

inline json snapshot_json(const PatronSnapshot &p) { return json(p); }

} // namespace circ
