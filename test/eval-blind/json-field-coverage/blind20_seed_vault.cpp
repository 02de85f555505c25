// checks: errorshield-json-field-coverage
// Catalogue sync between the vault's local inventory and the partner genebanks.
// Batches of accessions are pushed as JSON over HTTP; deposits arrive the same way.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace vault {

struct ShelfLocation {
  int hall = 0;
  int rack = 0;
  int shelf = 0;
  std::string box_barcode;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ShelfLocation, hall, rack, shelf, box_barcode)

struct Accession {
  std::string accession_id; // e.g. "NGB-2031-0457"
  std::string genus;
  std::string species;
  std::string variety;
  std::string origin_country; // ISO 3166 alpha-3
  std::string collected_on;   // YYYY-MM-DD
  std::int64_t seed_count = 0;
  double germination_rate = 0.0;
  ShelfLocation location;
};

void to_json(json& j, const Accession& a) { // expect: errorshield-json-field-coverage
  j = json{{"accession_id", a.accession_id},
           {"genus", a.genus},
           {"species", a.species},
           {"variety", a.variety},
           {"origin_country", a.origin_country},
           {"collected_on", a.collected_on},
           {"seed_count", a.seed_count},
           {"location", a.location}};
}

void from_json(const json& j, Accession& a) {
  j.at("accession_id").get_to(a.accession_id);
  j.at("genus").get_to(a.genus);
  j.at("species").get_to(a.species);
  a.variety = j.value("variety", "");
  j.at("origin_country").get_to(a.origin_country);
  j.at("collected_on").get_to(a.collected_on);
  j.at("seed_count").get_to(a.seed_count);
  a.germination_rate = j.value("germination_rate", 0.0);
  j.at("location").get_to(a.location);
}

// Germination test run on a sample drawn from an accession.
struct GerminationTest {
  std::string accession_id;
  std::string tested_on;
  int seeds_sown = 0;
  int seeds_germinated = 0;
  double temperature_c = 20.0;
  std::string technician;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GerminationTest, accession_id, tested_on, seeds_sown, seeds_germinated, technician) // expect: errorshield-json-field-coverage

// A deposit box arriving from a depositor institute.
struct Deposit {
  std::string depositor_code;
  std::string shipment_ref;
  std::vector<std::string> accession_ids;
  int box_count = 0;
  std::optional<std::string> phyto_certificate;
};

void to_json(json& j, const Deposit& d) {
  j["depositor_code"] = d.depositor_code;
  j["shipment_ref"] = d.shipment_ref;
  j["accession_ids"] = d.accession_ids;
  j["box_count"] = d.box_count;
  j["phyto_certificate"] = d.phyto_certificate ? json(*d.phyto_certificate) : json(nullptr);
}

void from_json(const json& j, Deposit& d) { // expect: errorshield-json-field-coverage
  j.at("depositor_code").get_to(d.depositor_code);
  j.at("shipment_ref").get_to(d.shipment_ref);
  j.at("accession_ids").get_to(d.accession_ids);
  j.at("box_count").get_to(d.box_count);
}

// Cold-room sensor summary kept in memory and reported with every sync.
class ColdRoomStatus {
public:
  static constexpr int kAlarmThresholdC = -15;

  void update(double t, double rh) {
    std::lock_guard lk(mu_);
    temperature_c = t;
    humidity_pct = rh;
  }

  double temperature_c = -18.0;
  double humidity_pct = 15.0;
  std::string room = "Hall 2";

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(ColdRoomStatus, temperature_c, humidity_pct, room)

private:
  mutable std::mutex mu_;
};

// Regeneration plan: when seed counts drop, accessions are regrown in the field.
class RegenerationPlan {
public:
  std::string accession_id;
  int target_seeds = 0;
  std::string field_station;
  std::string season;
  bool isolation_required = false;

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(RegenerationPlan, accession_id, target_seeds, field_station, isolation_required) // expect: errorshield-json-field-coverage
};

// Paged responses from the partner catalogue API.
template <class T>
struct Page {
  std::vector<T> items;
  int page = 1;
  int page_size = 100;
  int total = 0;
};

template <class T>
void to_json(json& j, const Page<T>& p) {
  j = json{{"items", p.items}, {"page", p.page}, {"page_size", p.page_size}, {"total", p.total}};
}

template <class T>
void from_json(const json& j, Page<T>& p) { // expect: errorshield-json-field-coverage
  j.at("items").get_to(p.items);
  p.page = j.value("page", 1);
  p.total = j.value("total", 0);
}

// Withdrawal of seed for distribution to a researcher.
struct Withdrawal {
  std::string accession_id;
  std::int64_t seeds = 0;
  std::string recipient;
  std::string smta_ref; // standard material transfer agreement
};

void to_json(json& j, const Withdrawal& w) {
  j = json::object();
  j["accession_id"] = w.accession_id;
  j["seeds"] = w.seeds;
  j["recipient"] = w.recipient;
  j["smta_ref"] = w.smta_ref;
}

void from_json(const json& j, Withdrawal& w) {
  w.accession_id = j.at("accession_id").get<std::string>();
  w.seeds = j.at("seeds").get<std::int64_t>();
  w.recipient = j.at("recipient").get<std::string>();
  w.smta_ref = j.value("smta_ref", std::string{});
}

} // namespace vault

// Push one batch of accessions to a partner genebank's sync endpoint.
static int push_batch(asio::io_context& ioc, const std::string& host, const std::vector<vault::Accession>& batch,
                      const vault::ColdRoomStatus& room) {
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(resolver.resolve(host, "8080"));

  vault::Page<vault::Accession> page;
  page.items = batch;
  page.total = static_cast<int>(batch.size());

  json body{{"catalogue", page}, {"cold_room", room}};

  http::request<http::string_body> req{http::verb::post, "/api/v2/sync/accessions", 11};
  req.set(http::field::host, host);
  req.set(http::field::content_type, "application/json");
  req.body() = body.dump();
  req.prepare_payload();
  http::write(stream, req);

  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);

  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);

  if (res.result() != http::status::ok)
    return -1;
  auto ack = json::parse(res.body(), nullptr, false);
  if (ack.is_discarded())
    return -1;
  auto deposits = ack.value("pending_deposits", json::array()).get<std::vector<vault::Deposit>>();
  auto tests = ack.value("germination_tests", json::array()).get<std::vector<vault::GerminationTest>>();
  if (ack.contains("remote_changes")) {
    auto remote = ack["remote_changes"].get<vault::Page<vault::Accession>>();
    std::cout << "partner reports " << remote.total << " changed accessions\n";
  }
  std::cout << "synced " << batch.size() << " accessions, " << deposits.size() << " deposits pending, "
            << tests.size() << " test results\n";
  return static_cast<int>(deposits.size());
}

int main(int argc, char** argv) {
  asio::io_context ioc;
  vault::ColdRoomStatus room;
  std::vector<vault::Accession> batch(1);
  batch[0].accession_id = "NGB-2031-0457";
  batch[0].genus = "Hordeum";
  batch[0].species = "vulgare";
  batch[0].location = {2, 14, 3, "BX-99812"};
  try {
    push_batch(ioc, argc > 1 ? argv[1] : "genebank-partner.example", batch, room);
  } catch (const std::exception& e) {
    std::cerr << "sync failed: " << e.what() << "\n";
    return 1;
  }
}
