#include "registry.h"

namespace chat {

std::vector<std::shared_ptr<WebSocketSession>>
Registry::alive(const std::map<SessionId, std::weak_ptr<WebSocketSession>> &sessions) {
  std::vector<std::shared_ptr<WebSocketSession>> out;
  out.reserve(sessions.size());
  for (const auto &entry : sessions)
    if (auto s = entry.second.lock())
      out.push_back(std::move(s));
  return out;
}

void Registry::join(UserId user, SessionId id, const std::shared_ptr<WebSocketSession> &session) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto &mine = users_[user];
  mine.emplace(id, session);
  if (mine.size() == 1 && presence_)
    presence_(user, true);
}

void Registry::announce_online() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (presence_)
    for (const auto &user : users_)
      presence_(user.first, true);
}

Registry::Departure Registry::leave(UserId user, SessionId id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Departure d;
  for (auto room = rooms_.begin(); room != rooms_.end();) {
    if (room->second.erase(id))
      d.rooms.push_back(room->first);
    room = room->second.empty() ? rooms_.erase(room) : std::next(room);
  }
  auto it = users_.find(user);
  if (it == users_.end())
    return d;
  it->second.erase(id);
  if (it->second.empty()) {
    users_.erase(it);
    d.last_session = true;
    if (presence_)
      presence_(user, false);
  }
  return d;
}

std::vector<std::shared_ptr<WebSocketSession>>
Registry::join_room(const std::string &room, SessionId id,
                    const std::shared_ptr<WebSocketSession> &s) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto &members = rooms_[room];
  std::vector<std::shared_ptr<WebSocketSession>> before = alive(members);
  members.emplace(id, s);
  return before;
}

std::vector<std::shared_ptr<WebSocketSession>> Registry::sessions_of(UserId user) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = users_.find(user);
  return it == users_.end() ? std::vector<std::shared_ptr<WebSocketSession>>{} : alive(it->second);
}

std::vector<std::shared_ptr<WebSocketSession>> Registry::room_members(const std::string &room) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = rooms_.find(room);
  return it == rooms_.end() ? std::vector<std::shared_ptr<WebSocketSession>>{} : alive(it->second);
}

std::vector<std::shared_ptr<WebSocketSession>> Registry::everyone() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::shared_ptr<WebSocketSession>> out;
  for (const auto &user : users_)
    for (auto &s : alive(user.second))
      out.push_back(std::move(s));
  return out;
}

} // namespace chat
