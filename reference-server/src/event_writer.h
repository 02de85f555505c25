// Writes one server event: a flat JSON object of strings, integers and booleans, appended field by
// field to a single string.
//
// Building an nlohmann object per event (a std::map node and a copy per field) and dumping it cost
// as much as parsing the request. The strings written come from parsed requests or from the
// server itself, so they are valid UTF-8 and only quotes, backslashes and control characters need
// escaping. The fuzz target parses every event back with nlohmann and compares its fields.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chat {

class EventWriter {
public:
  explicit EventWriter(std::string_view type);
  EventWriter &text(std::string_view name, std::string_view value);
  EventWriter &number(std::string_view name, std::int64_t value);
  EventWriter &flag(std::string_view name, bool value);
  // The finished object; the writer is left empty.
  std::string done();

private:
  void name(std::string_view name);
  void quoted(std::string_view value);

  std::string out_;
};

} // namespace chat
