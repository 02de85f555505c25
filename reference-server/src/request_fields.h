// The top-level fields of one JSON request, read with Boost.JSON's event parser.
//
// Requests are flat objects; building a document for each one (a map node and a copy per field,
// then copies out of it) cost more than everything else the server does with a message apart
// from the system calls. Values nested deeper than the top level are skipped: no request has
// any, so they only need to be told apart from scalars; nesting beyond max_depth is refused.
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
    std::int64_t integer = 0; // Kind::Integer (above INT64_MAX wraps, as nlohmann's get does).
  };
  enum class Outcome { Object, NotAnObject, NotJson, TooDeep, NumberOutOfRange };
  static constexpr std::size_t max_depth = 32;

  // Parses `text` (RFC 8259, nothing after the value; a leading byte order mark is skipped).
  // Fields are only meaningful for Object. TooDeep: arrays and objects nested more than
  // max_depth levels; NumberOutOfRange: a number beyond a double's range, or with an exponent
  // beyond an int's (limits RFC 8259 allows); either whether or not the rest would parse.
  Outcome parse(std::string_view text);

  // The field's value, the last one when a name repeats (as in an nlohmann document).
  const Value *find(std::string_view name) const;
  // Moves a string field out (so each is taken once); nullopt when absent or not a string.
  std::optional<std::string> take_string(std::string_view name);

private:
  friend class RequestHandler;
  std::vector<std::pair<std::string, Value>> fields_;
};

} // namespace chat
