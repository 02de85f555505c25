#include "event_writer.h"

#include <algorithm>
#include <array>

namespace chat {

EventWriter::EventWriter(std::string_view type) {
  out_.reserve(64 + type.size());
  out_ += R"({"type":)";
  quoted(type);
}

EventWriter &EventWriter::text(std::string_view name, std::string_view value) {
  this->name(name);
  quoted(value);
  return *this;
}

EventWriter &EventWriter::number(std::string_view name, std::int64_t value) {
  this->name(name);
  out_ += std::to_string(value);
  return *this;
}

EventWriter &EventWriter::flag(std::string_view name, bool value) {
  this->name(name);
  out_ += value ? "true" : "false";
  return *this;
}

std::string EventWriter::done() {
  out_ += '}';
  return std::move(out_);
}

void EventWriter::name(std::string_view name) {
  out_ += ',';
  quoted(name);
  out_ += ':';
}

void EventWriter::quoted(std::string_view value) {
  static constexpr char hex[] = "0123456789abcdef";
  const auto needs_escape = [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  };
  out_.reserve(out_.size() + value.size() + 2);
  out_ += '"';
  // Runs of characters that need no escape (nearly all text) are appended whole. UTF-8 passes
  // through: the input was validated where it was parsed.
  for (auto it = value.begin(); it != value.end();) {
    const auto run_end = std::find_if(it, value.end(), needs_escape);
    out_.append(it, run_end);
    if (run_end == value.end())
      break;
    const char c = *run_end;
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out_ += '\\';
      out_ += c;
    } else { // RFC 8259: control characters must be escaped.
      static constexpr std::array<std::string_view, 0x20> shorthand = {
          "", "", "", "", "", "", "", "", "\\b", "\\t", "\\n", "", "\\f", "\\r"};
      if (!shorthand[byte].empty())
        out_ += shorthand[byte];
      else
        out_ += {'\\', 'u', '0', '0', hex[byte >> 4], hex[byte & 0xF]};
    }
    it = run_end + 1;
  }
  out_ += '"';
}

} // namespace chat
