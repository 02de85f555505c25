// checks: errorshield-json-field-coverage
// Veterinary clinic records sync: clinic front desks push patient / visit
// records to the regional sync service, which fans them out over WebSocket.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using json = nlohmann::json;

namespace vetsync {

struct Owner {
    std::string owner_id;
    std::string full_name;
    std::string phone;
    std::string email;
};
// OK: every member listed
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Owner, owner_id, full_name, phone, email)

struct Vaccination {
    std::string vaccine_code;
    std::string lot_number;
    std::int64_t administered_at = 0;   // unix seconds
    std::int64_t due_again_at = 0;
    std::string vet_id;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Vaccination, vaccine_code, lot_number, administered_at, vet_id) // expect: errorshield-json-field-coverage

struct Patient {
    std::string patient_id;
    std::string name;
    std::string species;
    std::string breed;
    std::optional<std::string> microchip_id;
    double weight_kg = 0.0;
    std::vector<std::string> allergies;
    Owner owner;
    std::vector<Vaccination> vaccinations;
};

// OK: optional microchip written only when present, but it is handled.
void to_json(json& j, const Patient& p) {
    j = json{{"patient_id", p.patient_id},
             {"name", p.name},
             {"species", p.species},
             {"breed", p.breed},
             {"weight_kg", p.weight_kg},
             {"allergies", p.allergies},
             {"owner", p.owner},
             {"vaccinations", p.vaccinations}};
    if (p.microchip_id) {
        j["microchip_id"] = *p.microchip_id;
    }
}

void from_json(const json& j, Patient& p) { // expect: errorshield-json-field-coverage
    j.at("patient_id").get_to(p.patient_id);
    j.at("name").get_to(p.name);
    j.at("species").get_to(p.species);
    j.at("breed").get_to(p.breed);
    if (auto it = j.find("microchip_id"); it != j.end() && !it->is_null()) {
        p.microchip_id = it->get<std::string>();
    }
    j.at("weight_kg").get_to(p.weight_kg);
    j.at("owner").get_to(p.owner);
    j.at("vaccinations").get_to(p.vaccinations);
}

struct VisitNote {
    std::string visit_id;
    std::string patient_id;
    std::string vet_id;
    std::int64_t started_at = 0;
    std::int64_t ended_at = 0;
    std::string diagnosis;
    std::string treatment_plan;
    bool follow_up_required = false;
};

// OK: every field covered both ways; uses value() for tolerant parsing.
void to_json(json& j, const VisitNote& v) {
    j["visit_id"] = v.visit_id;
    j["patient_id"] = v.patient_id;
    j["vet_id"] = v.vet_id;
    j["started_at"] = v.started_at;
    j["ended_at"] = v.ended_at;
    j["diagnosis"] = v.diagnosis;
    j["treatment_plan"] = v.treatment_plan;
    j["follow_up_required"] = v.follow_up_required;
}

void from_json(const json& j, VisitNote& v) {
    v.visit_id = j.at("visit_id").get<std::string>();
    v.patient_id = j.at("patient_id").get<std::string>();
    v.vet_id = j.value("vet_id", std::string{});
    v.started_at = j.value("started_at", std::int64_t{0});
    v.ended_at = j.value("ended_at", std::int64_t{0});
    v.diagnosis = j.value("diagnosis", std::string{});
    v.treatment_plan = j.value("treatment_plan", std::string{});
    v.follow_up_required = j.value("follow_up_required", false);
}

struct Appointment {
    std::string appointment_id;
    std::string patient_id;
    std::int64_t slot_start = 0;
    std::int64_t slot_end = 0;
    std::string room;
    std::string reason;
};

// Copy-paste slip: slot_end never makes it onto the wire.
void to_json(json& j, const Appointment& a) { // expect: errorshield-json-field-coverage
    j = json::object();
    j["appointment_id"] = a.appointment_id;
    j["patient_id"] = a.patient_id;
    j["slot_start"] = a.slot_start;
    j["slot_end"] = a.slot_start;
    j["room"] = a.room;
    j["reason"] = a.reason;
}

void from_json(const json& j, Appointment& a) {
    j.at("appointment_id").get_to(a.appointment_id);
    j.at("patient_id").get_to(a.patient_id);
    j.at("slot_start").get_to(a.slot_start);
    j.at("slot_end").get_to(a.slot_end);
    j.at("room").get_to(a.room);
    j.at("reason").get_to(a.reason);
}

// Generic sync batch sent to clinics that reconnect after being offline.
template <typename Record>
struct SyncBatch {
    std::string clinic_id;
    std::uint64_t since_revision = 0;
    std::uint64_t head_revision = 0;
    std::vector<Record> records;
};

template <typename Record>
void to_json(json& j, const SyncBatch<Record>& b) { // expect: errorshield-json-field-coverage
    j = json{{"clinic_id", b.clinic_id},
             {"since_revision", b.since_revision},
             {"records", b.records}};
}

template <typename Record>
void from_json(const json& j, SyncBatch<Record>& b) {
    j.at("clinic_id").get_to(b.clinic_id);
    j.at("since_revision").get_to(b.since_revision);
    j.at("head_revision").get_to(b.head_revision);
    j.at("records").get_to(b.records);
}

class LabResult {
public:
    LabResult() = default;
    LabResult(std::string id, std::string panel, double value, std::string units)
        : result_id_(std::move(id)), panel_(std::move(panel)), value_(value), units_(std::move(units)) {}

    const std::string& id() const { return result_id_; }

    // OK: static members are not per-record data, the macro covers all instance fields.
    static constexpr int schema_version = 3;
    NLOHMANN_DEFINE_TYPE_INTRUSIVE(LabResult, result_id_, panel_, value_, units_, reference_range_)

private:
    std::string result_id_;
    std::string panel_;
    double value_ = 0.0;
    std::string units_;
    std::string reference_range_;
};

class ClinicChannel {
public:
    explicit ClinicChannel(net::ip::tcp::socket sock) : ws_(std::move(sock)) {}

    void push_patient(const Patient& p) {
        json envelope{{"type", "patient.upsert"},
                      {"ts", std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch()).count()},
                      {"data", p}};
        enqueue(envelope.dump());
    }

    void push_batch(const SyncBatch<VisitNote>& batch) {
        json envelope{{"type", "visits.batch"}, {"data", batch}};
        enqueue(envelope.dump());
    }

    Patient parse_patient(const std::string& payload) const {
        return json::parse(payload).at("data").get<Patient>();
    }

private:
    void enqueue(std::string msg) {
        std::lock_guard<std::mutex> lk(mu_);
        outbox_.push_back(std::move(msg));
    }

    websocket::stream<beast::tcp_stream> ws_;
    std::mutex mu_;
    std::vector<std::string> outbox_;
};

// Cache keyed by patient id; serialisation of the cache entry itself.
struct CachedPatient {
    Patient patient;
    std::uint64_t revision = 0;
    std::string etag;
};

void to_json(json& j, const CachedPatient& c) {
    j = json{{"patient", c.patient}, {"revision", c.revision}, {"etag", c.etag}};
}

void from_json(const json& j, CachedPatient& c) { // expect: errorshield-json-field-coverage
    j.at("patient").get_to(c.patient);
    j.at("revision").get_to(c.revision);
}

inline std::string snapshot(const std::unordered_map<std::string, CachedPatient>& cache) {
    json out = json::array();
    for (const auto& [id, entry] : cache) {
        out.push_back(entry);
    }
    return out.dump();
}

} // namespace vetsync
