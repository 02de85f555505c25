// checks: errorshield-json-field-coverage
// Customer-support chat: customers and agents talk through a WebSocket gateway; tickets,
// chat messages and agent assignments travel as JSON. Sessions are C++20 coroutines.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using net::awaitable;
using net::use_awaitable;

namespace support {

enum class Priority { Low, Normal, Urgent };
NLOHMANN_JSON_SERIALIZE_ENUM(Priority, {
    {Priority::Low, "low"},
    {Priority::Normal, "normal"},
    {Priority::Urgent, "urgent"},
})

struct Attachment {
  std::string url;
  std::string mime;
  std::uint64_t size_bytes = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Attachment, url, mime, size_bytes)

class Ticket {
public:
  Ticket() = default;
  Ticket(std::string id, std::string customer, std::string subject)
      : id_(std::move(id)), customer_id_(std::move(customer)), subject_(std::move(subject)) {}

  const std::string& id() const { return id_; }
  Priority priority() const { return priority_; }
  void escalate() { priority_ = Priority::Urgent; }
  bool is_open() const { return status_ != "closed"; }

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Ticket, id_, customer_id_, subject_, status_, tags_) // expect: errorshield-json-field-coverage

private:
  std::string id_;
  std::string customer_id_;
  std::string subject_;
  std::string status_ = "open";
  Priority priority_ = Priority::Normal;
  std::vector<std::string> tags_;
};

// Canned replies are fully mapped with defaults; older clients omit fields.
class CannedReply {
public:
  NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(CannedReply, key_, title_, body_, locale_)

private:
  std::string key_;
  std::string title_;
  std::string body_;
  std::string locale_ = "en";
};

struct ChatMessage {
  std::string ticket_id;
  std::string sender_id;
  std::string sender_role; // "customer" | "agent" | "bot"
  std::string text;
  std::vector<Attachment> attachments;
  std::int64_t sent_ms = 0;
};

void to_json(json& j, const ChatMessage& m) {
  j["ticket_id"] = m.ticket_id;
  j["sender"] = {{"id", m.sender_id}, {"role", m.sender_role}};
  j["text"] = m.text;
  j["attachments"] = m.attachments;
  j["sent_ms"] = m.sent_ms;
}

void from_json(const json& j, ChatMessage& m) {
  j.at("ticketId").get_to(m.ticket_id); // expect: errorshield-json-field-coverage
  const auto& sender = j.at("sender");
  sender.at("id").get_to(m.sender_id);
  m.sender_role = sender.value("role", "customer");
  j.at("text").get_to(m.text);
  m.attachments = j.value("attachments", std::vector<Attachment>{});
  j.at("sent_ms").get_to(m.sent_ms);
}

struct AgentAssignment {
  std::string ticket_id;
  std::string agent_id;
  std::string queue;
  std::int32_t sla_minutes = 30;
};

void to_json(json& j, const AgentAssignment& a) { // expect: errorshield-json-field-coverage
  j = json{{"ticket_id", a.ticket_id}, {"agent", a.agent_id}, {"sla_minutes", a.sla_minutes}};
}

void from_json(const json& j, AgentAssignment& a) {
  j.at("ticket_id").get_to(a.ticket_id);
  j.at("agent").get_to(a.agent_id);
  a.queue = j.value("queue", "general");
  a.sla_minutes = j.value("sla_minutes", 30);
}

// Survey answers: optional comment serialized only when present, read back symmetrically.
struct CsatSurvey {
  std::string ticket_id;
  int score = 0;
  std::optional<std::string> comment;
};

void to_json(json& j, const CsatSurvey& s) {
  j["ticket_id"] = s.ticket_id;
  j["score"] = s.score;
  if (s.comment) j["comment"] = *s.comment;
}

void from_json(const json& j, CsatSurvey& s) {
  j.at("ticket_id").get_to(s.ticket_id);
  j.at("score").get_to(s.score);
  if (auto it = j.find("comment"); it != j.end() && it->is_string())
    s.comment = it->get<std::string>();
}

// Typing indicator: hot path, so both directions use short keys.
struct TypingEvent {
  std::string ticket_id;
  std::string user_id;
  bool typing = false;
};

void to_json(json& j, const TypingEvent& t) {
  j = json::object({{"t", t.ticket_id}, {"u", t.user_id}, {"y", t.typing}});
}

void from_json(const json& j, TypingEvent& t) {
  t.ticket_id = j.at("t").get<std::string>();
  t.user_id = j.at("u").get<std::string>();
  t.typing = j.at("y").get<bool>();
}

// Transfer between agents, initiated from the agent console.
struct TransferRequest {
  std::string ticket_id;
  std::string from_agent;
  std::string to_agent;
  std::string reason;
};

void to_json(json& j, const TransferRequest& r) {
  j["ticket_id"] = r.ticket_id;
  j["from"] = r.from_agent;
  j["to"] = r.to_agent;
  j["reason"] = r.reason;
}

void from_json(const json& j, TransferRequest& r) { // expect: errorshield-json-field-coverage
  j.at("ticket_id").get_to(r.ticket_id);
  j.at("from").get_to(r.from_agent);
  j.at("to").get_to(r.to_agent);
}

} // namespace support

awaitable<void> agent_session(tcp::socket sock) {
  websocket::stream<beast::tcp_stream> ws(std::move(sock));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(256 * 1024);
  co_await ws.async_accept(use_awaitable);
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, use_awaitable);
    json in = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(buf.size());
    if (in.is_discarded()) continue;
    json out;
    const std::string type = in.value("type", "");
    if (type == "message") {
      auto msg = in.at("payload").get<support::ChatMessage>();
      out = {{"type", "message"}, {"payload", msg}};
    } else if (type == "typing") {
      out = {{"type", "typing"}, {"payload", in.at("payload").get<support::TypingEvent>()}};
    } else if (type == "transfer") {
      auto req = in.at("payload").get<support::TransferRequest>();
      support::AgentAssignment next{req.ticket_id, req.to_agent, "escalations", 15};
      out = {{"type", "assigned"}, {"payload", next}};
    } else if (type == "ticket") {
      auto t = in.at("payload").get<support::Ticket>();
      if (t.priority() != support::Priority::Urgent && !t.is_open()) t.escalate();
      out = {{"type", "ticket"}, {"payload", t}};
    } else if (type == "csat") {
      out = {{"type", "csat_ok"}, {"payload", in.at("payload").get<support::CsatSurvey>()}};
    } else {
      continue;
    }
    ws.text(true);
    co_await ws.async_write(net::buffer(out.dump()), use_awaitable);
  }
}

awaitable<void> listen(unsigned short port) {
  tcp::acceptor acc(co_await net::this_coro::executor, {tcp::v4(), port});
  for (;;) {
    tcp::socket sock = co_await acc.async_accept(use_awaitable);
    net::co_spawn(acc.get_executor(), agent_session(std::move(sock)), net::detached);
  }
}

int main() {
  net::io_context ioc;
  net::co_spawn(ioc, listen(8700), net::detached);
  ioc.run();
}
