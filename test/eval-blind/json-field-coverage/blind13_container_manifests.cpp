// checks: errorshield-json-field-coverage
// Shipping container manifest gateway: terminals and carriers exchange
// manifests as JSON over HTTP; this file holds the wire mappings.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

namespace manifests {

struct Dimensions {
    std::uint32_t length_mm = 0;
    std::uint32_t width_mm = 0;
    std::uint32_t height_mm = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Dimensions, length_mm, width_mm, height_mm)

struct HazmatDeclaration {
    std::string un_number;
    std::string imdg_class;
    std::string packing_group;
    double flash_point_c = 0.0;
    std::string emergency_contact;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HazmatDeclaration, un_number, imdg_class, packing_group, flash_point_c) // expect: errorshield-json-field-coverage

class Container {
public:
    Container() = default;
    Container(std::string id, std::string iso_type) : container_id_(std::move(id)), iso_type_(std::move(iso_type)) {}

    const std::string& id() const { return container_id_; }
    void set_gross(std::uint32_t kg) { gross_kg_ = kg; }

    NLOHMANN_DEFINE_TYPE_INTRUSIVE(Container, container_id_, iso_type_, gross_kg_, tare_kg_, dims_, hazmat_) // expect: errorshield-json-field-coverage

private:
    std::string container_id_;
    std::string iso_type_;
    std::uint32_t gross_kg_ = 0;
    std::uint32_t tare_kg_ = 0;
    Dimensions dims_;
    std::vector<HazmatDeclaration> hazmat_;
    // added for customs pre-clearance (v2.4)
    std::string seal_number_;
};

class Reefer {
public:
    NLOHMANN_DEFINE_TYPE_INTRUSIVE(Reefer, container_id_, setpoint_c_, humidity_pct_, ventilation_cbm_h_)

    static constexpr const char* kind = "reefer";

private:
    std::string container_id_;
    double setpoint_c_ = 0.0;
    double humidity_pct_ = 0.0;
    std::uint32_t ventilation_cbm_h_ = 0;
};

struct Party {
    std::string name;
    std::string address;
    std::string eori;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Party, name, address, eori)

struct Manifest {
    std::string manifest_id;
    std::string vessel_imo;
    std::string voyage;
    Party shipper;
    Party consignee;
    Party notify_party;
    std::vector<Container> containers;
    std::int64_t issued_at = 0;
};

namespace detail {
inline void write_parties(json& j, const Manifest& m) {
    j["shipper"] = m.shipper;
    j["consignee"] = m.consignee;
}
inline void read_parties(const json& j, Manifest& m) {
    j.at("shipper").get_to(m.shipper);
    j.at("consignee").get_to(m.consignee);
    j.at("notify_party").get_to(m.notify_party);
}
} // namespace detail

void to_json(json& j, const Manifest& m) { // expect: errorshield-json-field-coverage
    j["manifest_id"] = m.manifest_id;
    j["vessel_imo"] = m.vessel_imo;
    j["voyage"] = m.voyage;
    detail::write_parties(j, m);
    j["containers"] = m.containers;
    j["issued_at"] = m.issued_at;
}

// OK: parties handled through the helper, all fields read.
void from_json(const json& j, Manifest& m) {
    j.at("manifest_id").get_to(m.manifest_id);
    j.at("vessel_imo").get_to(m.vessel_imo);
    j.at("voyage").get_to(m.voyage);
    detail::read_parties(j, m);
    j.at("containers").get_to(m.containers);
    m.issued_at = j.value("issued_at", std::int64_t{0});
}

struct VoyageLeg {
    std::string from_port;
    std::string to_port;
    std::int64_t etd = 0;
    std::int64_t eta = 0;
    std::optional<std::int64_t> ata;
};

namespace detail {
inline void put_time(json& j, const char* key, std::int64_t t) { j[key] = t; }
inline void put_time(json& j, const char* key, const std::optional<std::int64_t>& t) {
    j[key] = t ? json(*t) : json(nullptr);
}
} // namespace detail

// OK: timestamps go through a helper, but every field is written.
void to_json(json& j, const VoyageLeg& leg) {
    j = json{{"from_port", leg.from_port}, {"to_port", leg.to_port}};
    detail::put_time(j, "etd", leg.etd);
    detail::put_time(j, "eta", leg.eta);
    detail::put_time(j, "ata", leg.ata);
}

void from_json(const json& j, VoyageLeg& leg) {
    j.at("from_port").get_to(leg.from_port);
    j.at("to_port").get_to(leg.to_port);
    j.at("etd").get_to(leg.etd);
    j.at("eta").get_to(leg.eta);
    if (const auto& a = j.at("ata"); !a.is_null()) {
        leg.ata = a.get<std::int64_t>();
    } else {
        leg.ata.reset();
    }
}

} // namespace manifests

// Port codes come from a vendored reference-data library we cannot modify.
namespace refdata {
struct Port {
    std::string unlocode;
    std::string name;
    std::string country;
    double lat = 0.0;
    double lon = 0.0;
};
} // namespace refdata

namespace nlohmann {
template <>
struct adl_serializer<refdata::Port> {
    static void to_json(json& j, const refdata::Port& p) {
        j = json{{"unlocode", p.unlocode}, {"name", p.name}, {"country", p.country},
                 {"lat", p.lat}, {"lon", p.lon}};
    }
    static void from_json(const json& j, refdata::Port& p) { // expect: errorshield-json-field-coverage
        j.at("unlocode").get_to(p.unlocode);
        j.at("name").get_to(p.name);
        j.at("country").get_to(p.country);
        j.at("lat").get_to(p.lat);
        j.at("lon").get_to(p.lat);
    }
};
} // namespace nlohmann

namespace manifests {

template <typename Item>
struct Page {
    std::vector<Item> items;
    std::size_t total = 0;
    std::string next_cursor;
};

// OK: template mapping covering every member.
template <typename Item>
void to_json(json& j, const Page<Item>& p) {
    j = json{{"items", p.items}, {"total", p.total}, {"next_cursor", p.next_cursor}};
}

class ManifestStore {
public:
    void put(Manifest m) { by_id_[m.manifest_id] = std::move(m); }

    http::response<http::string_body> list(const http::request<http::string_body>& req) const {
        Page<Manifest> page;
        for (const auto& [id, m] : by_id_) {
            page.items.push_back(m);
        }
        page.total = page.items.size();

        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::content_type, "application/json");
        res.body() = json(page).dump();
        res.prepare_payload();
        return res;
    }

    http::response<http::string_body> ingest(const http::request<http::string_body>& req) {
        http::response<http::string_body> res{http::status::created, req.version()};
        try {
            auto m = json::parse(req.body()).get<Manifest>();
            put(std::move(m));
        } catch (const json::exception& e) {
            res.result(http::status::bad_request);
            res.body() = json{{"error", e.what()}}.dump();
        }
        res.prepare_payload();
        return res;
    }

    refdata::Port port_from(const std::string& body) const {
        return json::parse(body).get<refdata::Port>();
    }

private:
    std::map<std::string, Manifest> by_id_;
};

} // namespace manifests
