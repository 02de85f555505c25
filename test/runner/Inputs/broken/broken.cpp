// A TU that does not compile: the scan must say so, not report it clean.
#include <map>

struct Book {
  std::map<int, long> levels
  double price = 0;
};
