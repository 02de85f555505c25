#include "metrics.h"

namespace chat {
namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(Rejection::Count)> reasons = {
    "malformed_json", "bad_request", "unknown_type", "unknown_recipient", "float_money",
    "origin", "missing_user", "subprotocol", "binary", "invalid_utf8"};

void metric(std::string &out, std::string_view name, std::string_view type, std::string_view help,
            std::uint64_t value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(" ").append(std::to_string(value)).append("\n");
}

} // namespace

std::string Metrics::render() const {
  std::string out;
  metric(out, "chat_connections", "gauge", "Open WebSocket connections.",
         static_cast<std::uint64_t>(connections.load()));
  metric(out, "chat_connections_accepted_total", "counter", "WebSocket handshakes accepted.",
         accepted.load());
  metric(out, "chat_messages_in_total", "counter", "Messages received from clients.",
         messages_in.load());
  metric(out, "chat_messages_out_total", "counter", "Messages queued to clients.",
         messages_out.load());
  metric(out, "chat_slow_consumers_closed_total", "counter",
         "Connections closed because their write queue was full.", slow_consumers_closed.load());
  metric(out, "chat_idle_closed_total", "counter", "Connections closed for being idle.",
         idle_closed.load());
  out.append("# HELP chat_rejections_total Requests and messages refused, by reason.\n");
  out.append("# TYPE chat_rejections_total counter\n");
  for (std::size_t i = 0; i < reasons.size(); ++i)
    out.append("chat_rejections_total{reason=\"")
        .append(reasons[i])
        .append("\"} ")
        .append(std::to_string(rejections_[i].load()))
        .append("\n");
  return out;
}

} // namespace chat
