// checks: errorshield-json-field-coverage
// Bespoke tailoring back-office: fitters record measurements on tablets,
// the cutting room pulls them as JSON over HTTP.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

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

namespace atelier {

// All lengths in millimetres.
struct JacketMeasurements {
  int chest = 0;
  int waist = 0;
  int shoulder = 0;
  int sleeve = 0;
  int back_length = 0;
};

void to_json(json &j, const JacketMeasurements &m) {
  j = json{{"chest", m.chest}, {"waist", m.waist}, {"shoulder", m.shoulder}, {"sleeve", m.sleeve},
           {"back_length", m.back_length}};
}

void from_json(const json &j, JacketMeasurements &m) {
  j.at("chest").get_to(m.chest);
  j.at("waist").get_to(m.waist);
  j.at("shoulder").get_to(m.shoulder);
  j.at("sleeve").get_to(m.sleeve);
  j.at("back_length").get_to(m.back_length);
}

struct TrouserMeasurements {
  int waist = 0;
  int seat = 0;
  int inseam = 0;
  int outseam = 0;
  int thigh = 0;
  int hem = 0;
};

void to_json(json &j, const TrouserMeasurements &m) { // expect: errorshield-json-field-coverage
  j = json{{"waist", m.waist}, {"seat", m.seat}, {"outseam", m.outseam}, {"thigh", m.thigh}, {"hem", m.hem}};
}

void from_json(const json &j, TrouserMeasurements &m) {
  j.at("waist").get_to(m.waist);
  j.at("seat").get_to(m.seat);
  j.at("inseam").get_to(m.inseam);
  j.at("outseam").get_to(m.outseam);
  j.at("thigh").get_to(m.thigh);
  j.at("hem").get_to(m.hem);
}

struct ShirtMeasurements {
  int collar = 0;
  int chest = 0;
  int sleeve = 0;
  int cuff = 0;
  bool french_cuff = false;
};

void to_json(json &j, const ShirtMeasurements &m) {
  j["collar"] = m.collar;
  j["chest"] = m.chest;
  j["sleeve"] = m.sleeve;
  j["cuff"] = m.cuff;
  j["french_cuff"] = m.french_cuff;
}

void from_json(const json &j, ShirtMeasurements &m) { // expect: errorshield-json-field-coverage
  m.collar = j.at("collar").get<int>();
  m.chest = j.at("chest").get<int>();
  m.sleeve = j.at("sleeve").get<int>();
  m.cuff = j.value("cuff", 0);
}

struct Customer {
  std::string id;
  std::string name;
  std::string phone;
  std::string email;
  std::vector<std::string> notes;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Customer, id, name, phone, notes) // expect: errorshield-json-field-coverage

struct Fabric {
  std::string mill;
  std::string cloth_code;
  int weight_gsm = 0;
  std::string colour;
  static constexpr const char *kSchema = "fabric/v2";
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Fabric, mill, cloth_code, weight_gsm, colour)

class FittingAppointment {
public:
  FittingAppointment() = default;
  FittingAppointment(std::string customer, std::string date, int stage)
      : customer_id_(std::move(customer)), date_(std::move(date)), stage_(stage) {}

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(FittingAppointment, customer_id_, date_) // expect: errorshield-json-field-coverage

  int stage() const { return stage_; }

private:
  std::string customer_id_;
  std::string date_;
  int stage_ = 1; // 1 = baste, 2 = forward, 3 = finish
  std::string fitter_;
};

class Order {
public:
  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(Order, order_no_, customer_id_, jacket_, trousers_, fabric_, paid_)

  std::string order_no_;
  std::string customer_id_;
  JacketMeasurements jacket_;
  TrouserMeasurements trousers_;
  Fabric fabric_;
  bool paid_ = false;
};

// Posture adjustments recorded at the first fitting.
struct PostureNotes {
  int shoulder_slope_deg = 0;
  bool stooped = false;
  bool prominent_seat = false;
  std::string left_right_difference;
};

} // namespace atelier

namespace nlohmann {
template <> struct adl_serializer<atelier::PostureNotes> {
  static void to_json(json &j, const atelier::PostureNotes &p) { // expect: errorshield-json-field-coverage
    j = json{{"shoulder_slope_deg", p.shoulder_slope_deg}, {"stooped", p.stooped}, {"lr_diff", p.left_right_difference}};
  }
  static void from_json(const json &j, atelier::PostureNotes &p) {
    p.shoulder_slope_deg = j.value("shoulder_slope_deg", 0);
    p.stooped = j.value("stooped", false);
    p.prominent_seat = j.value("prominent_seat", false);
    p.left_right_difference = j.value("lr_diff", std::string{});
  }
};
} // namespace nlohmann

namespace atelier {

// Pattern block grading: serialised field by field from a template.
template <class Unit> struct PatternBlock {
  std::string block_id;
  Unit size;
  Unit ease;
};

template <class Unit> void to_json(json &j, const PatternBlock<Unit> &b) {
  j = json::object();
  j["block_id"] = b.block_id;
  j["size"] = b.size;
  j["ease"] = b.ease;
}

template <class Unit> void from_json(const json &j, PatternBlock<Unit> &b) {
  b.block_id = j.at("block_id").get<std::string>();
  b.size = j.at("size").get<Unit>();
  b.ease = j.at("ease").get<Unit>();
}

// --- tiny HTTP endpoint for the cutting room --------------------------------

std::map<std::string, Order> &orders() {
  static std::map<std::string, Order> o;
  return o;
}

http::response<http::string_body> handle(const http::request<http::string_body> &req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  if (req.method() == http::verb::post) {
    Order o = json::parse(req.body()).get<Order>();
    orders()[o.order_no_] = o;
    res.body() = json{{"stored", o.order_no_}}.dump();
  } else {
    json all = json::array();
    for (auto &[no, o] : orders())
      all.push_back(o);
    res.body() = all.dump();
  }
  res.prepare_payload();
  return res;
}

asio::awaitable<void> session(tcp::socket s) {
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(s, buf, req, asio::as_tuple(asio::use_awaitable));
    if (ec)
      co_return;
    auto res = handle(req);
    co_await http::async_write(s, res, asio::use_awaitable);
  }
}

} // namespace atelier

int main() {
  asio::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8300});
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        for (;;)
          asio::co_spawn(ioc, atelier::session(co_await acc.async_accept(asio::use_awaitable)), asio::detached);
      },
      asio::detached);

  atelier::Customer c{"C-17", "A. Client", "+44 20 0000 0000", "a@example.com", {}};
  atelier::PostureNotes p{3, false, true, "left shoulder 8mm low"};
  atelier::PatternBlock<double> blk{"JKT-40R", 40.0, 2.5};
  atelier::FittingAppointment appt{"C-17", "2024-05-02", 2};
  atelier::ShirtMeasurements sh{};
  atelier::TrouserMeasurements tr{};
  std::cout << json(c).dump() << json(p).dump() << json(blk).dump() << json(appt).dump() << json(sh).dump()
            << json(tr).dump() << "\n";
  ioc.run();
}
