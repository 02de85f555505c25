// checks: errorshield-ws-close-code
// Collaborative editor backend: eviction and teardown of editor sessions.
// Sessions are closed for idleness, document deletion, permission changes,
// OT rebase failures and quota violations.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>

namespace collab {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

enum class EvictReason { idle, doc_deleted, permission_revoked, server_restart, too_many_editors, protocol_violation };

// Application codes live in the private-use range 4000-4999.
enum class AppError : std::uint16_t { stale_revision = 9, unknown_doc = 4, forbidden = 3 };

constexpr std::uint16_t kAppCodeBase = 4000;

inline std::uint16_t app_close_code(AppError e) {
  return static_cast<std::uint16_t>(kAppCodeBase + static_cast<std::uint16_t>(e));
}

inline websocket::close_reason make_reason(std::uint16_t code, beast::string_view why) {
  websocket::close_reason cr{code};
  cr.reason.assign(why.data(), why.size());
  return cr;
}

inline websocket::close_reason close_reason_for(EvictReason r) {
  switch (r) {
  case EvictReason::idle:
    return {websocket::close_code::going_away, "idle"};
  case EvictReason::doc_deleted:
    return make_reason(app_close_code(AppError::unknown_doc), "document deleted");
  case EvictReason::permission_revoked:
    return make_reason(app_close_code(AppError::forbidden), "access revoked");
  case EvictReason::server_restart:
    return {websocket::close_code::service_restart, "restarting"};
  case EvictReason::too_many_editors:
    return {websocket::close_code::try_again_later, "document full"};
  case EvictReason::protocol_violation:
    break;
  }
  return {websocket::close_code::protocol_error, "bad op"};
}

struct EvictionMetrics {
  // RFC 6455 status observed on the wire when the peer vanished; metrics label only.
  static constexpr std::uint16_t kAbnormalClosure = 1006;
  std::map<std::uint16_t, std::uint64_t> by_code;
  void record(std::uint16_t code) { ++by_code[code]; }
};

struct SessionLimits {
  std::size_t max_ops_per_minute = 600;
  std::size_t max_doc_bytes = 8 * 1024 * 1024;
  std::uint16_t rebase_failure_code = 4409;  // private-use range
};

class EditorConnection : public std::enable_shared_from_this<EditorConnection> {
public:
  EditorConnection(tcp::socket s, EvictionMetrics &m, SessionLimits lim)
      : ws_(std::move(s)), metrics_(m), limits_(lim) {}

  void evict(EvictReason r) {
    auto cr = close_reason_for(r);
    std::clog << "evicting editor " << editor_id_ << " code=" << cr.code << '\n';
    metrics_.record(cr.code);
    ws_.async_close(cr, beast::bind_front_handler(&EditorConnection::on_close, shared_from_this()));
  }

  void on_doc_not_found() {
    ws_.async_close(make_reason(app_close_code(AppError::unknown_doc), "no such doc"),
                    beast::bind_front_handler(&EditorConnection::on_close, shared_from_this()));
  }

  void on_rebase_failed(std::uint64_t client_rev, std::uint64_t server_rev) {
    std::clog << "rebase failed " << client_rev << " vs " << server_rev << '\n';
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(2001), "rebase conflict"), // expect: errorshield-ws-close-code
                    beast::bind_front_handler(&EditorConnection::on_close, shared_from_this()));
  }

  void on_rebase_failed_v2(std::uint64_t client_rev) {
    std::clog << "rebase failed at " << client_rev << '\n';
    ws_.async_close(make_reason(limits_.rebase_failure_code, "rebase conflict"),
                    beast::bind_front_handler(&EditorConnection::on_close, shared_from_this()));
  }

  void on_quota_exceeded(std::size_t bytes) {
    std::clog << "doc quota exceeded: " << bytes << " > " << limits_.max_doc_bytes << '\n';
    ws_.async_close(make_reason(5001, "quota exceeded"), // expect: errorshield-ws-close-code
                    beast::bind_front_handler(&EditorConnection::on_close, shared_from_this()));
  }

  void on_rate_limited() {
    // 3000-3999 is the IANA-registered range; 3008 is what our SDK maps to "slow down".
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(3008), "rate limited"),
                    beast::bind_front_handler(&EditorConnection::on_close, shared_from_this()));
  }

  void on_read_error(beast::error_code ec) {
    if (ec == websocket::error::closed) {
      auto rc = ws_.reason().code;
      if (rc == websocket::close_code::abnormal || rc == EvictionMetrics::kAbnormalClosure)
        std::clog << "peer reported abnormal closure\n";
      metrics_.record(rc);
      return;
    }
    std::clog << "read error, tearing down: " << ec.message() << '\n';
    // the peer is gone mid-frame, tell it so
    ws_.async_close(websocket::close_code::abnormal, // expect: errorshield-ws-close-code
                    beast::bind_front_handler(&EditorConnection::on_close, shared_from_this()));
  }

  void on_malformed_op(const std::string &raw) {
    std::clog << "malformed op (" << raw.size() << " bytes)\n";
    ws_.async_close(websocket::close_code::bad_payload,
                    beast::bind_front_handler(&EditorConnection::on_close, shared_from_this()));
  }

  void on_legacy_client_logout() {
    // legacy desktop client: "no status" meant a clean logout in protocol v1
    constexpr std::uint16_t kLegacyLogout = 1005;
    ws_.async_close(websocket::close_reason(kLegacyLogout), // expect: errorshield-ws-close-code
                    beast::bind_front_handler(&EditorConnection::on_close, shared_from_this()));
  }

  void on_logout() {
    ws_.async_close(websocket::close_code::normal,
                    beast::bind_front_handler(&EditorConnection::on_close, shared_from_this()));
  }

  void on_permission_change(bool still_allowed) {
    if (still_allowed)
      return;
    evict(EvictReason::permission_revoked);
  }

private:
  void on_close(beast::error_code ec) {
    if (ec)
      std::clog << "close handshake failed for " << editor_id_ << ": " << ec.message() << '\n';
  }

  websocket::stream<beast::tcp_stream> ws_;
  EvictionMetrics &metrics_;
  SessionLimits limits_;
  std::string editor_id_ = "anon";
};

// Synchronous teardown used by the document-deletion job.
void close_all_for_deleted_doc(std::map<std::string, websocket::stream<tcp::socket> *> &editors,
                               const std::string &doc_id) {
  for (auto &[id, ws] : editors) {
    beast::error_code ec;
    ws->close(close_reason_for(EvictReason::doc_deleted), ec);
    if (ec)
      std::clog << "close " << id << " for " << doc_id << ": " << ec.message() << '\n';
  }
}

// Export job: streams a document snapshot to the archiver, then hangs up.
void finish_export(websocket::stream<tcp::socket> &ws, bool ok) {
  json summary{{"ok", ok}};
  ws.text(true);
  ws.write(net::buffer(summary.dump()));
  beast::error_code ec;
  if (ok)
    ws.close(websocket::close_code::normal, ec);
  else
    ws.close(make_reason(999, "export failed"), ec); // expect: errorshield-ws-close-code
}

// Archiver shutdown path, correct version.
void finish_export_v2(websocket::stream<tcp::socket> &ws, bool ok) {
  beast::error_code ec;
  ws.close(ok ? websocket::close_reason(websocket::close_code::normal)
              : websocket::close_reason(websocket::close_code::internal_error, "export failed"),
           ec);
}

} // namespace collab

int main() {
  collab::EvictionMetrics m;
  m.record(collab::close_reason_for(collab::EvictReason::idle).code);
}
