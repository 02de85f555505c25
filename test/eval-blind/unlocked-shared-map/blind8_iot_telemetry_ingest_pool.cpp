// checks: errorshield-unlocked-shared-map
// IoT telemetry ingestion gateway: devices push JSON readings over WebSocket.
// The io_context is run by a pool of threads, so handlers of different
// sessions execute concurrently. A separate std::thread exports metrics.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace telemetry {

struct DeviceState {
  std::string firmware;
  std::int64_t last_seen_ms = 0;
  double last_value = 0;
  std::uint64_t frames = 0;
};

// Read-only after static initialisation; safe to read from every thread.
const std::unordered_map<std::string, int> kTopicPriority = {
    {"alarm", 0}, {"temperature", 2}, {"humidity", 3}, {"heartbeat", 9}};

// Firmware versions reported at boot, filled by the provisioning workers.
std::unordered_map<std::string, std::string> g_boot_firmware;

void export_line(const std::string& s);
std::int64_t now_ms();

class IngestHub {
 public:
  IngestHub() = default;

  void on_reading(const std::string& device_id, const json& frame) {
    const std::string topic = frame.value("topic", "unknown");
    {
      std::lock_guard<std::mutex> lk(devices_mu_);
      apply_reading_locked(device_id, frame);
    }
    ++frames_by_topic_[topic]; // expect: errorshield-unlocked-shared-map
    if (topic == "alarm") raise_alarm(device_id, frame);
  }

  void on_heartbeat(const std::string& device_id) {
    devices_[device_id].last_seen_ms = now_ms(); // expect: errorshield-unlocked-shared-map
  }

  void on_disconnect(const std::string& device_id) {
    std::lock_guard<std::mutex> lk(devices_mu_);
    auto it = devices_.find(device_id);
    if (it != devices_.end()) it->second.last_seen_ms = now_ms();
  }

  bool is_quarantined(const std::string& device_id) const {
    return quarantine_.count(device_id) != 0; // expect: errorshield-unlocked-shared-map
  }

  void quarantine(const std::string& device_id) {
    std::unique_lock<std::shared_mutex> lk(quarantine_mu_);
    quarantine_.insert(device_id);
  }

  bool is_quarantined_checked(const std::string& device_id) const {
    std::shared_lock<std::shared_mutex> lk(quarantine_mu_);
    return quarantine_.find(device_id) != quarantine_.end();
  }

  // Called from the exporter thread every 10 s.
  std::string render_metrics() {
    std::string out;
    for (const auto& [id, st] : devices_) { // expect: errorshield-unlocked-shared-map
      out += id + " frames=" + std::to_string(st.frames) + "\n";
    }
    std::map<std::string, std::uint64_t> topics;
    {
      std::lock_guard<std::mutex> lk(topics_mu_);
      topics = frames_by_topic_;
    }
    for (const auto& [topic, n] : topics) out += "topic " + topic + " " + std::to_string(n) + "\n";
    return out;
  }

  std::size_t device_count() {
    std::lock_guard<std::mutex> lk(devices_mu_);
    return devices_.size();
  }

  int priority_of(const std::string& topic) const {
    auto it = kTopicPriority.find(topic);
    return it == kTopicPriority.end() ? 5 : it->second;
  }

 private:
  // Precondition: devices_mu_ held by the caller.
  void apply_reading_locked(const std::string& device_id, const json& frame) {
    DeviceState& st = devices_[device_id];
    st.last_seen_ms = now_ms();
    st.last_value = frame.value("value", 0.0);
    ++st.frames;
  }

  void raise_alarm(const std::string& device_id, const json& frame) {
    // Per-call scratch map; never shared.
    std::unordered_map<std::string, std::string> fields;
    for (auto& [k, v] : frame.items()) fields[k] = v.dump();
    export_line("ALARM " + device_id + " fields=" + std::to_string(fields.size()));
  }

  std::mutex devices_mu_;
  std::unordered_map<std::string, DeviceState> devices_;
  std::mutex topics_mu_;
  std::map<std::string, std::uint64_t> frames_by_topic_;
  mutable std::shared_mutex quarantine_mu_;
  std::unordered_set<std::string> quarantine_;
};

class DeviceSession : public std::enable_shared_from_this<DeviceSession> {
 public:
  DeviceSession(tcp::socket s, IngestHub& hub) : ws_(std::move(s)), hub_(hub) {}

  void run() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(beast::bind_front_handler(&DeviceSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    read_next();
  }

  void read_next() {
    ws_.async_read(buf_, beast::bind_front_handler(&DeviceSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      hub_.on_disconnect(device_id_);
      return;
    }
    json frame = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
    buf_.consume(buf_.size());
    if (frame.is_discarded()) return read_next();
    device_id_ = frame.value("device", device_id_);
    // Per-session map: only this session's handlers touch it, and they never
    // run concurrently because each waits for the previous read to complete.
    ++local_topic_counts_[frame.value("topic", "unknown")];
    if (hub_.is_quarantined_checked(device_id_)) return;
    if (frame.value("topic", "") == "heartbeat")
      hub_.on_heartbeat(device_id_);
    else
      hub_.on_reading(device_id_, frame);
    read_next();
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  IngestHub& hub_;
  std::string device_id_ = "unknown";
  std::unordered_map<std::string, std::uint64_t> local_topic_counts_;
};

void provisioning_worker(int shard, const std::vector<std::string>& devices) {
  thread_local std::unordered_map<std::string, int> retries;  // per-thread, unshared
  for (const auto& d : devices) {
    ++retries[d];
    g_boot_firmware[d] = "fw-" + std::to_string(shard); // expect: errorshield-unlocked-shared-map
  }
}

void run_gateway(unsigned short port) {
  net::io_context ioc;
  IngestHub hub;
  tcp::acceptor acceptor(ioc, {tcp::v4(), port});

  std::function<void()> do_accept = [&] {
    acceptor.async_accept(net::make_strand(ioc), [&](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<DeviceSession>(std::move(s), hub)->run();
      do_accept();
    });
  };
  do_accept();

  std::vector<std::thread> provisioners;
  for (int shard = 0; shard < 4; ++shard)
    provisioners.emplace_back(provisioning_worker, shard, std::vector<std::string>{"dev-a", "dev-b"});

  std::thread exporter([&] {
    for (int i = 0; i < 3; ++i) {
      export_line(hub.render_metrics());
      std::this_thread::sleep_for(std::chrono::seconds(10));
    }
  });

  std::vector<std::thread> pool;
  for (int i = 0; i < 8; ++i) pool.emplace_back([&] { ioc.run(); });
  for (auto& t : pool) t.join();
  for (auto& t : provisioners) t.join();
  exporter.join();
}

}  // namespace telemetry
