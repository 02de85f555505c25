// checks: errorshield-ws-message-limit
// Parking bay sensor hub. Magnetometer nodes in each bay report occupancy
// through a LoRa gateway that speaks WebSocket; the hub forwards aggregated
// counts to the city cloud and serves the signage displays.
#include <boost/asio.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace parking {

struct BayState {
  bool occupied = false;
  std::uint32_t battery_mv = 0;
};

using BayTable = std::map<std::string, BayState>;

void apply_report(BayTable &table, const json &j) {
  auto &bay = table[j.at("bay").get<std::string>()];
  bay.occupied = j.value("occ", false);
  bay.battery_mv = j.value("bat", 0u);
}

// ---------------------------------------------------------------------------
// Gateway link, stackful coroutine per gateway.
void gateway_link(asio::io_context &ioc, tcp::socket sock, BayTable &table) {
  asio::spawn(
      ioc,
      [&table, s = std::move(sock)](asio::yield_context yield) mutable {
        websocket::stream<beast::tcp_stream> ws(std::move(s));
        beast::error_code ec;
        ws.async_accept(yield[ec]);
        if (ec)
          return;
        beast::flat_buffer buf;
        for (;;) {
          ws.async_read(buf, yield[ec]); // expect: errorshield-ws-message-limit
          if (ec)
            break;
          auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
          buf.consume(buf.size());
          if (!j.is_discarded())
            apply_report(table, j);
        }
      },
      asio::detached);
}

// Same gateway protocol, newer firmware: small uplinks only.
asio::awaitable<void> gateway_link_v2(tcp::socket sock, BayTable &table) {
  websocket::stream<tcp::socket> ws(std::move(sock));
  ws.read_message_max(4096);
  co_await ws.async_accept(asio::use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::use_awaitable);
    auto j = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.clear();
    if (!j.is_discarded())
      apply_report(table, j);
  }
}

// ---------------------------------------------------------------------------
// Link to a neighbouring hub (multi-level car parks), generic over TLS/plain.
template <class NextLayer>
class PeerHubLink {
public:
  explicit PeerHubLink(NextLayer next) : ws_(std::move(next)) {}

  void start(BayTable &table) {
    table_ = &table;
    // peers batch whole floors, let them send whatever they need
    ws_.read_message_max(std::numeric_limits<std::size_t>::max()); // expect: errorshield-ws-message-limit
    ws_.async_accept([this](beast::error_code ec) {
      if (!ec)
        read_next();
    });
  }

private:
  void read_next() {
    ws_.async_read(buf_, [this](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      auto batch = json::parse(beast::buffers_to_string(buf_.data()), nullptr, false);
      buf_.clear();
      if (batch.is_array())
        for (auto &r : batch)
          apply_report(*table_, r);
      read_next();
    });
  }

  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buf_;
  BayTable *table_ = nullptr;
};

// ---------------------------------------------------------------------------
// Signage displays ask for the free-space count, one small request at a time.
class SignageSession : public std::enable_shared_from_this<SignageSession> {
public:
  SignageSession(tcp::socket s, const BayTable &t) : ws_(std::move(s)), table_(t) {
    ws_.read_message_max(256);
  }

  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_request();
    });
  }

private:
  void read_request() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return;
      self->buf_.clear();
      std::size_t free_bays = 0;
      for (auto &[id, bay] : self->table_)
        free_bays += bay.occupied ? 0 : 1;
      self->reply_ = std::to_string(free_bays);
      self->ws_.text(true);
      self->ws_.async_write(asio::buffer(self->reply_),
                            [self](beast::error_code ec2, std::size_t) {
                              if (!ec2)
                                self->read_request();
                            });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
  std::string reply_;
  const BayTable &table_;
};

// ---------------------------------------------------------------------------
// Maintenance tablet: technicians re-pair sensors; callback style.
void maintenance_read(std::shared_ptr<websocket::stream<tcp::socket>> ws,
                      std::shared_ptr<beast::flat_buffer> buf, BayTable &table) {
  ws->async_read(*buf, [ws, buf, &table](beast::error_code ec, std::size_t) { // expect: errorshield-ws-message-limit
    if (ec)
      return;
    auto cmd = json::parse(beast::buffers_to_string(buf->data()), nullptr, false);
    buf->clear();
    if (cmd.is_object() && cmd.contains("reset"))
      table.erase(cmd["reset"].get<std::string>());
    maintenance_read(ws, buf, table);
  });
}

// ---------------------------------------------------------------------------
// Cloud bridge: pulls tariffs from the city cloud, pushes counts back.
template <class Stream>
void apply_cloud_limits(websocket::stream<Stream> &ws) {
  ws.read_message_max(64 * 1024);
}

void cloud_bridge(asio::io_context &ioc, tcp::socket gateway_sock) {
  websocket::stream<tcp::socket> cloud(ioc);
  websocket::stream<tcp::socket> gateway(std::move(gateway_sock));

  tcp::resolver resolver(ioc);
  asio::connect(cloud.next_layer(), resolver.resolve("city-cloud.local", "443"));
  apply_cloud_limits(cloud);
  cloud.handshake("city-cloud.local", "/parking/v1");
  gateway.accept();

  beast::flat_buffer tariff_buf;
  beast::flat_buffer uplink_buf;
  beast::error_code ec;

  cloud.read(tariff_buf, ec);
  if (ec)
    return;
  std::cout << "tariffs: " << beast::buffers_to_string(tariff_buf.data()) << "\n";

  for (;;) {
    gateway.read(uplink_buf, ec); // expect: errorshield-ws-message-limit
    if (ec)
      break;
    cloud.text(true);
    cloud.write(uplink_buf.data(), ec);
    uplink_buf.clear();
    if (ec)
      break;
  }
}

// Health endpoint (plain HTTP, same binary).
void health(tcp::socket sock) {
  beast::flat_buffer buf;
  http::request<http::empty_body> req;
  beast::error_code ec;
  http::read(sock, buf, req, ec);
  if (ec)
    return;
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.body() = "ok";
  res.prepare_payload();
  http::write(sock, res, ec);
}

} // namespace parking

int main() {
  asio::io_context ioc;
  parking::BayTable table;
  tcp::acceptor acc(ioc, {tcp::v4(), 7443});
  tcp::acceptor peers(ioc, {tcp::v4(), 7444});
  std::unique_ptr<parking::PeerHubLink<tcp::socket>> upper_deck;
  acc.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec)
      parking::gateway_link(ioc, std::move(s), table);
  });
  peers.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (ec)
      return;
    upper_deck = std::make_unique<parking::PeerHubLink<tcp::socket>>(std::move(s));
    upper_deck->start(table);
  });
  ioc.run();
}
