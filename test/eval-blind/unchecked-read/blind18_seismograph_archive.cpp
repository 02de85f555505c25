// checks: errorshield-unchecked-read
// Seismic waveform archive: digitizers stream raw sample blocks over TCP, a
// GPS disciplined clock stamps them, and day files are written/scanned on disk.
#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace seis {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

#pragma pack(push, 1)
struct RecordHeader {
  char station[6];
  char channel[4];
  std::uint32_t sample_count;
  std::int64_t start_ns;
  std::uint16_t sample_rate_hz;
};
struct FileTrailer {
  std::uint32_t record_count;
  std::uint32_t crc32;
};
#pragma pack(pop)

struct Record {
  RecordHeader header{};
  std::vector<std::int32_t> samples;
};

struct Station {
  std::string code;
  double lat = 0.0;
  double lon = 0.0;
  double elevation_m = 0.0;
};

// ---------------------------------------------------------------------------
// Station catalogue: legacy whitespace format ("CODE lat lon elev" per line)
// and the newer JSON export.
class StationCatalog {
 public:
  void load_legacy(const std::string& path) {
    std::ifstream meta(path);
    std::string code;
    double lat = 0, lon = 0, elev = 0;
    while (!meta.eof()) {
      meta >> code >> lat >> lon >> elev; // expect: errorshield-unchecked-read
      stations_[code] = Station{code, lat, lon, elev};
    }
  }

  bool load_json(const std::string& path) {
    std::ifstream in(path);
    if (!in) return false;
    json doc = json::parse(in, nullptr, false);
    if (doc.is_discarded()) return false;
    for (const auto& s : doc.value("stations", json::array()))
      stations_[s.value("code", "")] = Station{s.value("code", ""), s.value("lat", 0.0),
                                               s.value("lon", 0.0), s.value("elev", 0.0)};
    return true;
  }

  bool load_overrides(std::istream& in) {
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ls(line);
      Station s;
      if (!(ls >> s.code >> s.lat >> s.lon >> s.elevation_m)) return false;
      stations_[s.code] = s;
    }
    return !in.bad();
  }

  const Station* find(const std::string& code) const {
    auto it = stations_.find(code);
    return it == stations_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, Station> stations_;
};

// ---------------------------------------------------------------------------
// Day-file access.
class ArchiveReader {
 public:
  explicit ArchiveReader(std::string path) : path_(std::move(path)) {}

  // Random access by offset taken from the index.
  Record read_record(std::uint64_t offset) {
    std::ifstream in(path_, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset));
    Record rec;
    in.read(reinterpret_cast<char*>(&rec.header), sizeof rec.header); // expect: errorshield-unchecked-read
    rec.samples.resize(rec.header.sample_count);
    if (!in.read(reinterpret_cast<char*>(rec.samples.data()),
                 static_cast<std::streamsize>(rec.samples.size() * sizeof(std::int32_t))))
      rec.samples.clear();
    return rec;
  }

  // Sequential scan used to rebuild the offset index.
  std::vector<std::uint64_t> scan_index() {
    std::ifstream in(path_, std::ios::binary);
    std::vector<std::uint64_t> offsets;
    RecordHeader h{};
    for (;;) {
      auto pos = static_cast<std::uint64_t>(in.tellg());
      in.read(reinterpret_cast<char*>(&h), sizeof h);
      if (in.gcount() != static_cast<std::streamsize>(sizeof h)) break;
      offsets.push_back(pos);
      in.seekg(static_cast<std::streamoff>(h.sample_count * sizeof(std::int32_t)), std::ios::cur);
    }
    return offsets;
  }

  // Integrity check: a short or unreadable trailer throws.
  FileTrailer read_trailer() {
    std::ifstream in;
    in.exceptions(std::ios::failbit | std::ios::badbit);
    in.open(path_, std::ios::binary);
    in.seekg(-static_cast<std::streamoff>(sizeof(FileTrailer)), std::ios::end);
    FileTrailer t{};
    in.read(reinterpret_cast<char*>(&t), sizeof t);
    return t;
  }

 private:
  std::string path_;
};

// ---------------------------------------------------------------------------
// GPS clock on a serial line: 8-byte PPS timestamp frames.
class GpsClock {
 public:
  explicit GpsClock(const char* tty) : fd_(::open(tty, O_RDONLY | O_NOCTTY)) {}
  ~GpsClock() {
    if (fd_ >= 0) ::close(fd_);
  }

  std::int64_t last_pps_ns() {
    std::int64_t pps = 0;
    ::read(fd_, &pps, sizeof pps); // expect: errorshield-unchecked-read
    return pps;
  }

  std::optional<std::int64_t> poll_status_word() {
    std::uint32_t word = 0;
    ssize_t got = ::read(fd_, &word, sizeof word);
    if (got != static_cast<ssize_t>(sizeof word)) return std::nullopt;
    return static_cast<std::int64_t>(word);
  }

 private:
  int fd_;
};

// ---------------------------------------------------------------------------
// Digitizer feeds. Older units push raw int32 blocks; newer ones send a
// 4-byte length prefix before every block.
class RawDigitizerFeed : public std::enable_shared_from_this<RawDigitizerFeed> {
 public:
  RawDigitizerFeed(tcp::socket s, std::function<void(const std::int32_t*, std::size_t)> sink)
      : sock_(std::move(s)), sink_(std::move(sink)) {}

  void start() { read_more(); }

 private:
  void read_more() {
    auto self = shared_from_this();
    sock_.async_read_some(asio::buffer(chunk_), [this, self](boost::system::error_code, std::size_t n) { // expect: errorshield-unchecked-read
      pending_.insert(pending_.end(), chunk_.begin(), chunk_.begin() + n);
      std::size_t whole = pending_.size() / sizeof(std::int32_t);
      if (whole > 0) {
        std::vector<std::int32_t> samples(whole);
        std::memcpy(samples.data(), pending_.data(), whole * sizeof(std::int32_t));
        pending_.erase(pending_.begin(), pending_.begin() + whole * sizeof(std::int32_t));
        sink_(samples.data(), samples.size());
      }
      read_more();
    });
  }

  tcp::socket sock_;
  std::array<char, 4096> chunk_{};
  std::vector<char> pending_;
  std::function<void(const std::int32_t*, std::size_t)> sink_;
};

class FramedDigitizerFeed : public std::enable_shared_from_this<FramedDigitizerFeed> {
 public:
  FramedDigitizerFeed(tcp::socket s, std::function<void(const std::int32_t*, std::size_t)> sink)
      : sock_(std::move(s)), sink_(std::move(sink)) {}

  void start() { read_length(); }

 private:
  void read_length() {
    asio::async_read(sock_, asio::buffer(&frame_len_, sizeof frame_len_),
                     std::bind_front(&FramedDigitizerFeed::on_length, shared_from_this()));
  }

  void on_length(boost::system::error_code ec, std::size_t) {
    if (ec) return fail(ec, "length");
    if (frame_len_ == 0 || frame_len_ > 1u << 20) return fail(asio::error::message_size, "length");
    frame_.resize(frame_len_ / sizeof(std::int32_t));
    asio::async_read(sock_, asio::buffer(frame_),
                     [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                       if (ec) return self->fail(ec, "frame");
                       self->sink_(self->frame_.data(), self->frame_.size());
                       self->read_length();
                     });
  }

  void fail(boost::system::error_code ec, const char* what) {
    if (ec != asio::error::eof) std::cerr << "digitizer " << what << ": " << ec.message() << "\n";
    boost::system::error_code ignored;
    sock_.close(ignored);
  }

  tcp::socket sock_;
  std::uint32_t frame_len_ = 0;
  std::vector<std::int32_t> frame_;
  std::function<void(const std::int32_t*, std::size_t)> sink_;
};

// Pull a backlog from a station's ring buffer on reconnect (blocking, runs on
// the maintenance thread, not on the io_context).
std::vector<char> fetch_backlog(asio::io_context& ioc, const std::string& host, const std::string& port) {
  std::vector<char> out;
  try {
    tcp::resolver resolver(ioc);
    tcp::socket sock(ioc);
    asio::connect(sock, resolver.resolve(host, port));
    std::uint32_t len = 0;
    asio::read(sock, asio::buffer(&len, sizeof len));
    out.resize(len);
    asio::read(sock, asio::buffer(out));
  } catch (const boost::system::system_error& e) {
    std::cerr << "backlog from " << host << ": " << e.what() << "\n";
    out.clear();
  }
  return out;
}

// Periodic flush of the in-memory day buffer.
class FlushTimer {
 public:
  FlushTimer(asio::io_context& ioc, std::function<void()> flush) : timer_(ioc), flush_(std::move(flush)) {}
  void arm() {
    timer_.expires_after(std::chrono::seconds(10));
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec == asio::error::operation_aborted) return;
      flush_();
      arm();
    });
  }
  void cancel() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
  std::function<void()> flush_;
};

}  // namespace seis
