#include "request_fields.h"

#include <nlohmann/json.hpp>

namespace chat {

// nlohmann's SAX event handler: keeps the top-level scalars, marks anything nested as Other.
class RequestSax {
public:
  using json = nlohmann::json;
  explicit RequestSax(RequestFields &out) : out_(out) {}

  bool null() { return scalar({}); }
  bool boolean(bool) { return scalar({}); }
  bool number_integer(json::number_integer_t v) { return scalar({RequestFields::Kind::Integer, {}, v}); }
  bool number_unsigned(json::number_unsigned_t v) {
    return scalar({RequestFields::Kind::Integer, {}, static_cast<std::int64_t>(v)});
  }
  bool number_float(json::number_float_t, const json::string_t &) {
    return scalar({RequestFields::Kind::Float, {}, 0});
  }
  bool string(json::string_t &s) { return scalar({RequestFields::Kind::String, std::move(s), 0}); }
  bool binary(json::binary_t &) { return scalar({}); }
  bool start_object(std::size_t) { return open(/*object=*/true); }
  bool start_array(std::size_t) { return open(/*object=*/false); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t &k) {
    if (depth_ == 1)
      key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &) {
    return false;
  }

  bool top_is_object() const { return top_is_object_; }

private:
  bool scalar(RequestFields::Value v) {
    if (depth_ == 1)
      out_.fields_.emplace_back(std::move(key_), std::move(v));
    return true;
  }
  bool open(bool object) {
    if (depth_ == 0)
      top_is_object_ = object;
    else if (depth_ == 1)
      scalar({}); // A nested object or array: present, but no request field has that shape.
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }

  RequestFields &out_;
  int depth_ = 0;
  bool top_is_object_ = false;
  std::string key_;
};

RequestFields::Outcome RequestFields::parse(std::string_view text) {
  fields_.clear();
  RequestSax sax(*this);
  if (!nlohmann::json::sax_parse(text, &sax, nlohmann::json::input_format_t::json, /*strict=*/true))
    return Outcome::NotJson;
  return sax.top_is_object() ? Outcome::Object : Outcome::NotAnObject;
}

namespace {

// The last field named `name`: a repeated name keeps its last value, as in an nlohmann document.
template <class Fields> auto *last_named(Fields &fields, std::string_view name) {
  for (auto it = fields.rbegin(); it != fields.rend(); ++it)
    if (it->first == name)
      return &it->second;
  return static_cast<decltype(&fields.rbegin()->second)>(nullptr);
}

} // namespace

const RequestFields::Value *RequestFields::find(std::string_view name) const {
  return last_named(fields_, name);
}

std::optional<std::string> RequestFields::take_string(std::string_view name) {
  Value *value = last_named(fields_, name);
  if (!value || value->kind != Kind::String)
    return std::nullopt;
  return std::move(value->text);
}

} // namespace chat
