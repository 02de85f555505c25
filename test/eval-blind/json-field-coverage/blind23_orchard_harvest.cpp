// checks: errorshield-json-field-coverage
// Orchard harvest tracking: pickers scan bins in the field, the packhouse
// consumes the same records over a small HTTP API.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace harvest {

struct Picker {
  std::string id;
  std::string name;
  int crew = 0;
  bool chemical_certified = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Picker, id, name, crew) // expect: errorshield-json-field-coverage

struct Block {
  std::string code;
  std::string variety;
  double hectares = 0;
  int rows = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Block, code, variety, hectares, rows)

struct Bin {
  std::string bin_id;
  std::string block_code;
  std::string picker_id;
  double gross_kg = 0;
  double tare_kg = 0;
  std::int64_t scanned_at = 0;
};

void to_json(json &j, const Bin &b) { // expect: errorshield-json-field-coverage
  j = json{{"bin_id", b.bin_id},
           {"block_code", b.block_code},
           {"picker_id", b.picker_id},
           {"gross_kg", b.gross_kg},
           {"scanned_at", b.scanned_at}};
}

void from_json(const json &j, Bin &b) {
  j.at("bin_id").get_to(b.bin_id);
  j.at("block_code").get_to(b.block_code);
  j.at("picker_id").get_to(b.picker_id);
  j.at("gross_kg").get_to(b.gross_kg);
  b.tare_kg = j.value("tare_kg", 18.5);
  j.at("scanned_at").get_to(b.scanned_at);
}

// Quality sample taken from a bin at the packhouse door.
struct QualitySample {
  std::string bin_id;
  double brix = 0;
  double firmness_kg = 0;
  std::optional<std::string> defect_note;
  std::string grader;
};

void to_json(json &j, const QualitySample &q) {
  j["bin_id"] = q.bin_id;
  j["brix"] = q.brix;
  j["firmness_kg"] = q.firmness_kg;
  if (q.defect_note)
    j["defect_note"] = *q.defect_note;
  j["grader"] = q.grader;
}

void from_json(const json &j, QualitySample &q) { // expect: errorshield-json-field-coverage
  q.bin_id = j.at("bin_id").get<std::string>();
  q.brix = j.at("brix").get<double>();
  q.firmness_kg = j.at("firmness_kg").get<double>();
  if (j.contains("defect_note"))
    q.defect_note = j["defect_note"].get<std::string>();
}

struct DailyYield {
  static constexpr int schema_version = 3;
  std::string date;
  std::string block_code;
  int bins = 0;
  double net_tonnes = 0;
  double reject_rate = 0;

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(DailyYield, date, block_code, bins, net_tonnes) // expect: errorshield-json-field-coverage
};

struct CrewShift {
  static constexpr const char *kind = "crew_shift";
  int crew = 0;
  std::string start;
  std::string end;
  std::vector<std::string> picker_ids;

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(CrewShift, crew, start, end, picker_ids)
};

// Generic sensor reading from the cold-store probes.
template <class T>
struct Reading {
  std::string probe;
  T value{};
  std::int64_t taken_at = 0;
};

template <class T>
void to_json(json &j, const Reading<T> &r) { // expect: errorshield-json-field-coverage
  j = json{{"probe", r.probe}, {"value", r.value}};
}

template <class T>
void from_json(const json &j, Reading<T> &r) {
  j.at("probe").get_to(r.probe);
  j.at("value").get_to(r.value);
  j.at("taken_at").get_to(r.taken_at);
}

// In-memory store shared by the HTTP handlers.
struct BinLedger {
  std::map<std::string, Bin> bins;
  std::uint64_t revision = 0;
  mutable std::mutex mu;
};

void to_json(json &j, const BinLedger &l) {
  std::lock_guard<std::mutex> lock(l.mu);
  j = json{{"bins", l.bins}, {"revision", l.revision}};
}

} // namespace harvest

namespace {

harvest::BinLedger g_ledger;

http::response<http::string_body> handle(const http::request<http::string_body> &req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  try {
    if (req.method() == http::verb::post && req.target() == "/bins") {
      auto bin = json::parse(req.body()).get<harvest::Bin>();
      std::lock_guard<std::mutex> lock(g_ledger.mu);
      g_ledger.bins[bin.bin_id] = bin;
      ++g_ledger.revision;
      res.body() = json{{"ok", true}}.dump();
    } else if (req.method() == http::verb::post && req.target() == "/quality") {
      auto q = json::parse(req.body()).get<harvest::QualitySample>();
      res.body() = json(q).dump();
    } else if (req.target() == "/ledger") {
      res.body() = json(g_ledger).dump();
    } else if (req.target() == "/yield/today") {
      harvest::DailyYield y{"2024-03-14", "B7", 212, 76.3, 0.04};
      res.body() = json(y).dump();
    } else if (req.target() == "/coldstore") {
      std::vector<harvest::Reading<double>> probes = {{"CS1-north", 1.2, 1710400000}};
      res.body() = json(probes).dump();
    } else if (req.method() == http::verb::post && req.target() == "/pickers") {
      auto p = json::parse(req.body()).get<harvest::Picker>();
      auto shift = harvest::CrewShift{p.crew, "06:00", "14:30", {p.id}};
      res.body() = json{{"picker", p}, {"shift", shift}}.dump();
    } else if (req.target() == "/blocks") {
      std::vector<harvest::Block> blocks = {{"B7", "Honeycrisp", 4.2, 88}};
      res.body() = json(blocks).dump();
    } else {
      res.result(http::status::not_found);
    }
  } catch (const json::exception &e) {
    res.result(http::status::bad_request);
    res.body() = json{{"error", e.what()}}.dump();
  }
  res.prepare_payload();
  return res;
}

net::awaitable<void> serve(tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    beast::error_code ec;
    co_await http::async_read(stream, buf, req, net::redirect_error(net::use_awaitable, ec));
    if (ec)
      break;
    auto res = handle(req);
    co_await http::async_write(stream, res, net::use_awaitable);
    if (!req.keep_alive())
      break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send);
}

} // namespace

int main() {
  net::io_context ioc;
  tcp::acceptor acc(ioc, {tcp::v4(), 8181});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(net::use_awaitable);
      net::co_spawn(ioc, serve(std::move(s)), net::detached);
    }
  }, net::detached);
  ioc.run();
}
