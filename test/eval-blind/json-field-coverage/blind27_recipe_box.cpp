// checks: errorshield-json-field-coverage
// Recipe-box sync service: phones push recipes, the web app pulls pages of them.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using json = nlohmann::json;

namespace recipes {

struct Ingredient {
  std::string name;
  double quantity = 0;
  std::string unit; // "g", "ml", "cup", ...
};

void to_json(json &j, const Ingredient &i) { // expect: errorshield-json-field-coverage
  j = json{{"name", i.name}, {"qty", i.quantity}};
}

void from_json(const json &j, Ingredient &i) {
  j.at("name").get_to(i.name);
  j.at("qty").get_to(i.quantity);
  i.unit = j.value("unit", "");
}

struct Step {
  int index = 0;
  std::string text;
  int minutes = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Step, index, text, minutes)

struct Nutrition {
  int kcal = 0;
  double protein_g = 0;
  double fat_g = 0;
  double fibre_g = 0;
};

void to_json(json &j, const Nutrition &n) {
  j["kcal"] = n.kcal;
  j["protein_g"] = n.protein_g;
  j["fat_g"] = n.fat_g;
  j["fibre_g"] = n.fibre_g;
}

void from_json(const json &j, Nutrition &n) { // expect: errorshield-json-field-coverage
  n.kcal = j.value("kcal", 0);
  n.protein_g = j.value("protein_g", 0.0);
  n.fat_g = j.value("fat_g", 0.0);
}

struct Author {
  std::string handle;
  std::string display_name;
};

void to_json(json &j, const Author &a) { j = json{{"handle", a.handle}, {"name", a.display_name}}; }
void from_json(const json &j, Author &a) {
  a.handle = j.at("handle").get<std::string>();
  a.display_name = j.value("name", a.handle);
}

struct Recipe {
  std::string id;
  std::string title;
  int servings = 1;
  Author author;
  std::vector<Ingredient> ingredients;
  std::vector<Step> steps;
  Nutrition nutrition;
  std::string notes;
  std::vector<std::string> tags;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Recipe, id, title, servings, author, ingredients, steps, nutrition, tags) // expect: errorshield-json-field-coverage

class Rating {
public:
  Rating() = default;
  Rating(std::string user, int stars, std::string comment)
      : user_(std::move(user)), stars_(stars), comment_(std::move(comment)) {}
  int stars() const { return stars_; }

  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Rating, user_, stars_) // expect: errorshield-json-field-coverage

private:
  std::string user_;
  int stars_ = 0;
  std::string comment_;
};

// Wire format version travels in the header, not per object.
struct SyncCursor {
  static constexpr int kSchemaVersion = 3;
  std::string device;
  long long last_seq = 0;
  std::string etag;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SyncCursor, device, last_seq, etag)

struct ShoppingItem {
  std::string name;
  bool checked = false;
  int aisle = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ShoppingItem, name, checked, aisle)

// Paged listings for the web app.
template <class T>
struct Page {
  std::vector<T> items;
  int page = 0;
  int page_size = 20;
  int total = 0;
};

template <class T>
void to_json(json &j, const Page<T> &p) { // expect: errorshield-json-field-coverage
  j = json{{"items", p.items}, {"page", p.page}, {"page_size", p.page_size}};
}

template <class T>
void from_json(const json &j, Page<T> &p) {
  j.at("items").get_to(p.items);
  j.at("page").get_to(p.page);
  j.at("page_size").get_to(p.page_size);
  j.at("total").get_to(p.total);
}

// ---------------------------------------------------------------------------
class RecipeStore {
public:
  void put(Recipe r) {
    std::lock_guard lk(mu_);
    by_id_[r.id] = std::move(r);
  }

  Page<Recipe> page(int n, int size) const {
    std::lock_guard lk(mu_);
    Page<Recipe> p;
    p.page = n;
    p.page_size = size;
    p.total = static_cast<int>(by_id_.size());
    int skip = n * size;
    for (const auto &[id, r] : by_id_) {
      if (skip-- > 0)
        continue;
      if (static_cast<int>(p.items.size()) == size)
        break;
      p.items.push_back(r);
    }
    return p;
  }

private:
  mutable std::mutex mu_;
  std::map<std::string, Recipe> by_id_;
};

http::response<http::string_body> handle(const http::request<http::string_body> &req, RecipeStore &store) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  if (req.method() == http::verb::put) {
    auto body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded()) {
      res.result(http::status::bad_request);
    } else {
      store.put(body.get<Recipe>());
      res.body() = R"({"stored":true})";
    }
  } else if (req.target() == "/ratings") {
    std::vector<Rating> ratings{{"ana", 5, "great with extra garlic"}, {"bo", 3, "too salty"}};
    res.body() = json(ratings).dump();
  } else {
    json j = store.page(0, 20);
    j["schema"] = SyncCursor::kSchemaVersion;
    res.body() = j.dump();
  }
  res.prepare_payload();
  return res;
}

net::awaitable<void> session(tcp::socket sock, RecipeStore &store) {
  beast::tcp_stream stream(std::move(sock));
  beast::flat_buffer buf;
  for (;;) {
    http::request<http::string_body> req;
    stream.expires_after(std::chrono::seconds(30));
    auto [ec, n] = co_await http::async_read(stream, buf, req, net::as_tuple(net::use_awaitable));
    if (ec)
      break;
    auto res = handle(req, store);
    co_await http::async_write(stream, res, net::use_awaitable);
    if (!req.keep_alive())
      break;
  }
}

} // namespace recipes

int main() {
  net::io_context ioc;
  recipes::RecipeStore store;
  tcp::acceptor acc(ioc, {tcp::v4(), 8080});
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    for (;;) {
      auto s = co_await acc.async_accept(net::use_awaitable);
      net::co_spawn(ioc, recipes::session(std::move(s), store), net::detached);
    }
  }, net::detached);

  json cursor = recipes::SyncCursor{"pixel-7", 42, "W/\"abc\""};
  json list = std::vector<recipes::ShoppingItem>{{"flour", false, 3}};
  std::cout << cursor.dump() << " " << list.dump() << "\n";
  ioc.run();
}
