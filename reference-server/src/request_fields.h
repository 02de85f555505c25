// The top-level fields of one JSON request, read with nlohmann's SAX interface.
//
// Requests are flat objects; building an nlohmann document for each one (a std::map node and a
// copy per field, then copies out of it) cost more than everything else the server does with a
// message apart from the system calls. Values nested deeper than the top level are skipped: no
// request has any, so they only need to be told apart from scalars.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chat {

class RequestFields {
public:
  enum class Kind { String, Integer, Float, Other };
  struct Value {
    Kind kind = Kind::Other;
    std::string text;         // Kind::String.
    std::int64_t integer = 0; // Kind::Integer (an unsigned value converts as nlohmann's get would).
  };
  enum class Outcome { Object, NotAnObject, NotJson };

  // Parses `text` (RFC 8259, nothing after the value). Fields are only meaningful for Object.
  Outcome parse(std::string_view text);

  // The field's value, the last one when a name repeats (as in an nlohmann document).
  const Value *find(std::string_view name) const;
  // Moves a string field out (so each is taken once); nullopt when absent or not a string.
  std::optional<std::string> take_string(std::string_view name);

private:
  friend class RequestSax;
  std::vector<std::pair<std::string, Value>> fields_;
};

} // namespace chat
