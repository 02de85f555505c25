#include "node_liveness.h"

#include <algorithm>

namespace chat {

namespace {
// A node given up this many own beats ago and never heard from again is forgotten for good (node
// ids are not reused: a restarted process has a new one).
constexpr std::uint64_t remember_given_up = 1000;
} // namespace

NodeLiveness::Heard NodeLiveness::heard(const std::string &node, std::chrono::milliseconds period) {
  auto [it, added] = heard_.try_emplace(node);
  it->second.at = own_beats_;
  if (period.count() > 0)
    it->second.period = period;
  if (given_up_.erase(node) > 0)
    return Heard::Back;
  return added ? Heard::New : Heard::Known;
}

std::vector<std::string> NodeLiveness::own_beat() {
  ++own_beats_;
  std::vector<std::string> lost;
  for (auto it = heard_.begin(); it != heard_.end();) {
    if (own_beats_ - it->second.at > allowed_silence(it->second.period)) {
      lost.push_back(it->first);
      given_up_[it->first] = own_beats_;
      it = heard_.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(given_up_,
                [&](const auto &entry) { return own_beats_ - entry.second > remember_given_up; });
  return lost;
}

bool NodeLiveness::alive(const std::string &node) const {
  auto it = heard_.find(node);
  return it != heard_.end() && own_beats_ - it->second.at <= allowed_silence(it->second.period);
}

void NodeLiveness::forget(const std::string &node) {
  heard_.erase(node);
  given_up_.erase(node);
}

void NodeLiveness::reset() {
  heard_.clear();
  given_up_.clear();
}

std::uint64_t NodeLiveness::allowed_silence(std::chrono::milliseconds period) const {
  // Three of the node's own periods, in this node's (a node not yet heard beating: this one's).
  const auto theirs = std::max(period, own_period_);
  return 3 * static_cast<std::uint64_t>((theirs + own_period_ - std::chrono::milliseconds(1)) /
                                        own_period_);
}

} // namespace chat
