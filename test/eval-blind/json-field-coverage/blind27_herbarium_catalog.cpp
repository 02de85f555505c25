// checks: errorshield-json-field-coverage
// Herbarium catalogue service: digitised specimen sheets, collectors, loans
// to other institutions, exposed as a small JSON-over-HTTP API.
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

namespace herbarium {

struct GeoPoint {
  double lat = 0;
  double lon = 0;
  int uncertainty_m = 0;
};

struct Specimen {
  std::string barcode;
  std::string family;
  std::string genus;
  std::string epithet;
  std::string collector;
  std::string collected_on; // ISO date
  GeoPoint locality;
  std::vector<std::string> det_history;
};

struct Collector {
  std::string name;
  std::string institution;
  int first_year = 0;
  int last_year = 0;
};

struct Loan {
  std::string loan_id;
  std::string borrower;
  std::vector<std::string> barcodes;
  std::string due_date;
  bool returned = false;
};

struct ImageTile {
  std::string barcode;
  int zoom = 0;
  int x = 0;
  int y = 0;
  std::string url;
};

struct Annotation {
  std::string barcode;
  std::string author;
  std::string text;
  std::int64_t created_at = 0;
  static constexpr int schema_version = 2;
};

class Catalogue;

// GeoPoint: full mapping both ways.
void to_json(json &j, const GeoPoint &g) {
  j = json{{"lat", g.lat}, {"lon", g.lon}, {"uncertainty_m", g.uncertainty_m}};
}
void from_json(const json &j, GeoPoint &g) {
  j.at("lat").get_to(g.lat);
  j.at("lon").get_to(g.lon);
  j.at("uncertainty_m").get_to(g.uncertainty_m);
}

// Specimen: the API response body for /specimens/<barcode>.
void to_json(json &j, const Specimen &s) { // expect: errorshield-json-field-coverage
  j = json{{"barcode", s.barcode},
           {"family", s.family},
           {"genus", s.genus},
           {"epithet", s.epithet},
           {"collector", s.collector},
           {"collected_on", s.collected_on},
           {"locality", s.locality}};
}

void from_json(const json &j, Specimen &s) {
  j.at("barcode").get_to(s.barcode);
  j.at("family").get_to(s.family);
  j.at("genus").get_to(s.genus);
  j.at("epithet").get_to(s.epithet);
  j.at("collector").get_to(s.collector);
  j.at("collected_on").get_to(s.collected_on);
  j.at("locality").get_to(s.locality);
  s.det_history = j.value("det_history", std::vector<std::string>{});
}

// Collectors: serialised with the macro.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Collector, name, institution, first_year) // expect: errorshield-json-field-coverage

// Loans: written by hand because the borrower system uses different keys.
void to_json(json &j, const Loan &l) {
  j["id"] = l.loan_id;
  j["borrower"] = l.borrower;
  j["items"] = l.barcodes;
  j["due"] = l.due_date;
  j["returned"] = l.returned;
}

void from_json(const json &j, Loan &l) { // expect: errorshield-json-field-coverage
  l.loan_id = j.at("id").get<std::string>();
  l.borrower = j.at("borrower").get<std::string>();
  l.barcodes = j.at("items").get<std::vector<std::string>>();
  l.due_date = j.at("due").get<std::string>();
}

// Tiles for the deep-zoom viewer.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ImageTile, barcode, zoom, x, y, url)

// Annotations: schema_version is a static, not part of the document.
void to_json(json &j, const Annotation &a) {
  j = {{"barcode", a.barcode}, {"author", a.author}, {"text", a.text}, {"created_at", a.created_at}};
}
void from_json(const json &j, Annotation &a) {
  a.barcode = j.at("barcode");
  a.author = j.at("author");
  a.text = j.at("text");
  a.created_at = j.at("created_at");
}

// Batch import job descriptor: intrusive macro inside the class.
class ImportJob {
public:
  std::string source;
  std::string requested_by;
  int batch_size = 100;
  bool dry_run = true;
  std::string notify_email;

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(ImportJob, source, requested_by, batch_size, dry_run) // expect: errorshield-json-field-coverage
};

// Search facets: intrusive mapping with every member.
class SearchQuery {
public:
  std::string text;
  std::optional<std::string> family;
  int page = 0;
  int per_page = 50;

  friend void to_json(json &j, const SearchQuery &q) {
    j = {{"text", q.text}, {"page", q.page}, {"per_page", q.per_page}};
    if (q.family)
      j["family"] = *q.family;
  }
  friend void from_json(const json &j, SearchQuery &q) {
    q.text = j.value("text", "");
    q.page = j.value("page", 0);
    q.per_page = j.value("per_page", 50);
    if (j.contains("family"))
      q.family = j["family"].get<std::string>();
  }
};

// Exchange format for the regional aggregator (a template over the id type).
template <class Id>
struct ExchangeRecord {
  Id id;
  std::string scientific_name;
  std::string country;
  std::string basis_of_record;
};

template <class Id>
void to_json(json &j, const ExchangeRecord<Id> &r) { // expect: errorshield-json-field-coverage
  j = json{{"id", r.id}, {"scientificName", r.scientific_name}, {"country", r.country}};
}

class Catalogue {
public:
  void put(Specimen s) {
    std::lock_guard<std::mutex> lk(mu_);
    by_barcode_[s.barcode] = std::move(s);
  }
  std::optional<Specimen> get(const std::string &barcode) const {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = by_barcode_.find(barcode);
    if (it == by_barcode_.end())
      return std::nullopt;
    return it->second;
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, Specimen> by_barcode_;
};

http::response<http::string_body> handle(const http::request<http::string_body> &req, Catalogue &cat) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  std::string target(req.target());
  if (req.method() == http::verb::get && target.rfind("/specimens/", 0) == 0) {
    auto s = cat.get(target.substr(11));
    if (!s) {
      res.result(http::status::not_found);
      res.body() = R"({"error":"not found"})";
    } else {
      res.body() = json(*s).dump();
    }
  } else if (req.method() == http::verb::post && target == "/specimens") {
    cat.put(json::parse(req.body()).get<Specimen>());
    res.result(http::status::created);
  } else if (target == "/exchange") {
    ExchangeRecord<std::int64_t> rec{42, "Quercus robur", "GB", "PreservedSpecimen"};
    res.body() = json(rec).dump();
  } else if (target == "/loans" && req.method() == http::verb::post) {
    auto loan = json::parse(req.body()).get<Loan>();
    res.body() = json(loan).dump();
  } else if (target == "/collectors") {
    std::vector<Collector> cs{{"J. Hooker", "Kew", 1839, 1911}};
    res.body() = json(cs).dump();
  } else if (target == "/tiles") {
    res.body() = json(ImageTile{"K000123", 3, 1, 2, "/tiles/K000123/3/1/2.jpg"}).dump();
  } else if (target == "/annotations" && req.method() == http::verb::post) {
    auto a = json::parse(req.body()).get<Annotation>();
    res.body() = json(a).dump();
  } else if (target == "/search") {
    auto q = json::parse(req.body()).get<SearchQuery>();
    res.body() = json(q).dump();
  } else if (target == "/import") {
    auto job = json::parse(req.body()).get<ImportJob>();
    res.body() = json(job).dump();
  } else {
    res.result(http::status::bad_request);
  }
  res.prepare_payload();
  return res;
}

asio::awaitable<void> serve(tcp::socket s, Catalogue &cat) {
  beast::tcp_stream stream(std::move(s));
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(stream, buf, req, asio::use_awaitable);
    auto res = handle(req, cat);
    co_await http::async_write(stream, res, asio::use_awaitable);
    if (!req.keep_alive())
      break;
  }
}

asio::awaitable<void> listen(tcp::acceptor acc, Catalogue &cat) {
  for (;;) {
    auto s = co_await acc.async_accept(asio::use_awaitable);
    asio::co_spawn(acc.get_executor(), serve(std::move(s), cat), asio::detached);
  }
}

} // namespace herbarium

int main() {
  asio::io_context ioc;
  herbarium::Catalogue cat;
  asio::co_spawn(ioc, herbarium::listen(tcp::acceptor(ioc, {tcp::v4(), 8090}), cat), asio::detached);
  ioc.run();
}
