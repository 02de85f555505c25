// Which other server nodes are still alive, judged by heartbeats (see redis_bridge.h).
//
// Silence is counted in this node's own beats as they come back from the bus, not by the clock:
// a node whose own subscriber stalls (paused, starved of CPU, or working through a backlog) sees
// time stand still rather than give up every other node at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace chat {

class NodeLiveness {
public:
  explicit NodeLiveness(std::chrono::milliseconds own_period) : own_period_(own_period) {}

  enum class Heard { Known, New, Back };
  // Something came from `node`; `period` is the heartbeat its beats announce (zero for other
  // events). New: not heard from before (or since reset()); Back: it had been given up.
  Heard heard(const std::string &node, std::chrono::milliseconds period);
  // This node's own beat came back: one period has passed. Returns the nodes given up now, silent
  // for three of their periods (counted in this node's, rounded up).
  std::vector<std::string> own_beat();
  bool alive(const std::string &node) const;
  // A node that said goodbye: nothing to give up later.
  void forget(const std::string &node);
  // Everything forgotten (this node lost the bus and is starting over).
  void reset();

private:
  struct LastHeard {
    std::uint64_t at = 0; // own_beats_ when last heard.
    std::chrono::milliseconds period{0};
  };
  std::uint64_t allowed_silence(std::chrono::milliseconds period) const;

  const std::chrono::milliseconds own_period_;
  std::uint64_t own_beats_ = 0;
  std::map<std::string, LastHeard> heard_;
  std::map<std::string, std::uint64_t> given_up_; // node -> own_beats_ when given up.
};

} // namespace chat
