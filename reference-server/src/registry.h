// Who is connected: every user's sessions and every room's members, under one mutex.
//
// A user may hold several connections, so a session is removed by its own identity, never by user
// id alone: the seed incident (one user's disconnect deleting another user's connection) cannot
// happen, because leave() can only ever erase the session that ended.
#pragma once

#include "protocol.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace chat {

class WebSocketSession;
using SessionId = std::uint64_t;

class Registry {
public:
  // Called, under the registry's lock, when a user comes online (first session) or goes offline
  // (last session): listeners see the changes in the order the registry made them. Set before the
  // first connection; it must not block or call back into the registry.
  using PresenceListener = std::function<void(UserId, bool online)>;
  void set_presence_listener(PresenceListener listener) { presence_ = std::move(listener); }
  // Calls the listener with online=true for every user online now (a new node asks who is here).
  void announce_online() const;

  // Adds a session; a user's first one brings the user online (see PresenceListener).
  void join(UserId user, SessionId id, const std::shared_ptr<WebSocketSession> &session);
  struct Departure {
    bool last_session = false;      // The user went offline.
    std::vector<std::string> rooms; // The rooms the session was in.
  };
  // Removes exactly session `id` of `user`, and its room memberships.
  Departure leave(UserId user, SessionId id);
  // Adds the session to the room; returns the members that were already there.
  std::vector<std::shared_ptr<WebSocketSession>>
  join_room(const std::string &room, SessionId id, const std::shared_ptr<WebSocketSession> &s);

  std::vector<std::shared_ptr<WebSocketSession>> sessions_of(UserId user) const;
  std::vector<std::shared_ptr<WebSocketSession>> room_members(const std::string &room) const;
  std::vector<std::shared_ptr<WebSocketSession>> everyone() const;

private:
  static std::vector<std::shared_ptr<WebSocketSession>>
  alive(const std::map<SessionId, std::weak_ptr<WebSocketSession>> &sessions);

  PresenceListener presence_;
  mutable std::mutex mutex_;
  std::map<UserId, std::map<SessionId, std::weak_ptr<WebSocketSession>>> users_;
  std::map<std::string, std::map<SessionId, std::weak_ptr<WebSocketSession>>> rooms_;
};

} // namespace chat
