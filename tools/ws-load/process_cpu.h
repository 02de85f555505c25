// The CPU time a process has used so far, from /proc (Linux): how ws-load charges a server for
// the measured phase.
#pragma once

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <unistd.h>

namespace wsload {

struct CpuTime {
  double user = 0, system = 0;
};

// utime and stime of a process, in seconds; zero when there is no such process.
inline CpuTime cpu_of(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t name_end = stat.rfind(')'); // The name may hold spaces and parentheses.
  if (name_end == std::string::npos || name_end + 2 > stat.size())
    return {};
  std::istringstream fields(stat.substr(name_end + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i)
    fields >> skip;
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK)), user = 0, system = 0;
  fields >> user >> system;
  return {user / ticks, system / ticks};
}

} // namespace wsload
