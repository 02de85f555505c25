#include "server.h"

#include "log.h"
#include "websocket_session.h"

namespace chat {
namespace {

Rejection rejection_of(const ProtocolError &e) {
  if (e.code == "malformed-json")
    return Rejection::MalformedJson;
  if (e.code == "invalid-utf8")
    return Rejection::InvalidUtf8;
  if (e.code == "unknown-type")
    return Rejection::UnknownType;
  if (e.code == "ES-NUMERIC-001")
    return Rejection::FloatMoney;
  if (e.code == "unknown-recipient")
    return Rejection::UnknownRecipient;
  return Rejection::BadRequest;
}

} // namespace

void Server::connected(UserId user, SessionId id, const std::shared_ptr<WebSocketSession> &session) {
  metrics_.connections++;
  metrics_.accepted++;
  registry_.join(user, id, session); // Other nodes hear of it through the presence listener.
  log_event("connected", {{"user", std::to_string(user)}, {"session", std::to_string(id)}});
}

void Server::disconnected(UserId user, SessionId id) {
  metrics_.connections--;
  // Presence goes to the rooms the user shared, not to everyone: a broadcast to every connection on
  // every connect and disconnect would cost O(connections) per churn.
  Registry::Departure d = registry_.leave(user, id);
  if (d.last_session)
    for (const std::string &room : d.rooms)
      deliver(registry_.room_members(room), presence_event(user, false));
  log_event("disconnected", {{"user", std::to_string(user)}, {"session", std::to_string(id)}});
}

void Server::deliver(const std::vector<std::shared_ptr<WebSocketSession>> &to,
                     const std::string &event) {
  auto shared = std::make_shared<const std::string>(event);
  for (const auto &session : to)
    session->send(shared);
  metrics_.messages_out += to.size();
}

void Server::reply_error(const std::shared_ptr<WebSocketSession> &sender, const ProtocolError &e) {
  metrics_.reject(rejection_of(e));
  reply(sender, error_event(e));
}

void Server::handle(UserId from, const std::shared_ptr<WebSocketSession> &sender,
                    std::string_view text) {
  metrics_.messages_in++;
  auto parsed = parse_request(text);
  if (auto *error = std::get_if<ProtocolError>(&parsed)) {
    if (error->code == "invalid-utf8") { // Not an error reply: the connection is failed (1007).
      metrics_.reject(rejection_of(*error));
      return sender->close(websocket::close_code::bad_payload, "invalid UTF-8");
    }
    reply_error(sender, *error);
    return;
  }
  const Request &request = std::get<Request>(parsed);
  if (const auto *m = std::get_if<DirectMessage>(&request)) {
    send_to_user(sender, m->to, m->id, direct_event(from, *m));
  } else if (const auto *p = std::get_if<Payment>(&request)) {
    send_to_user(sender, p->to, p->id, payment_event(from, *p));
  } else if (const auto *j = std::get_if<JoinRoom>(&request)) {
    auto members = registry_.join_room(j->room, sender->id(), sender);
    deliver(members, presence_event(from, true));
    // The joiner learns it is in (and how many were there before it) before it sends to the room.
    reply(sender, ack_event(j->id, members.size()));
  } else if (const auto *r = std::get_if<RoomMessage>(&request)) {
    auto members = registry_.room_members(r->room);
    deliver(members, room_event(from, *r));
    reply(sender, ack_event(r->id, members.size()));
  }
}

void Server::send_to_user(const std::shared_ptr<WebSocketSession> &sender, UserId to,
                          const std::string &id, const std::string &event) {
  std::size_t reached = route(to, event);
  if (reached == 0)
    return reply_error(sender,
                       {"unknown-recipient", "user " + std::to_string(to) + " is not connected", id});
  reply(sender, ack_event(id, reached));
}

void Server::reply(const std::shared_ptr<WebSocketSession> &sender, std::string event) {
  sender->send(std::make_shared<const std::string>(std::move(event)));
}

std::size_t Server::route(UserId to, const std::string &event) {
  auto local = registry_.sessions_of(to);
  deliver(local, event);
  std::size_t remote = bridge_ ? bridge_->remote_nodes_of(to) : 0;
  if (remote > 0)
    bridge_->publish({"", "direct", to, false, event});
  return local.size() + remote;
}

void Server::on_remote(const Routed &r) {
  if (r.kind == "direct")
    deliver(registry_.sessions_of(r.user), r.event);
  else if (r.kind == "hello" || r.kind == "ask") // A node (re)subscribed, or had lost our users.
    registry_.announce_online();
}

void Server::enable_redis(net::io_context &ioc, const std::string &host, int port,
                          std::chrono::milliseconds heartbeat) {
  bridge_ = std::make_unique<RedisBridge>(ioc, host, port, heartbeat,
                                          [this](const Routed &r) { on_remote(r); });
  // Published under the registry's lock, so other nodes see a user's comings and goings in order.
  registry_.set_presence_listener([bridge = bridge_.get()](UserId user, bool online) {
    bridge->publish({"", "presence", user, online, ""});
  });
}

void Server::close_all() {
  stopping_ = true; // Set first: a session registering from now on closes itself.
  for (const auto &session : registry_.everyone())
    session->close(websocket::close_code::going_away, "server shutting down");
}

} // namespace chat
