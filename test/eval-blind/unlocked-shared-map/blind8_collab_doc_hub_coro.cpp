// checks: errorshield-unlocked-shared-map
// Collaborative document editing server. Each editor connection is a C++20
// coroutine; the io_context is driven by std::thread::hardware_concurrency()
// threads, so coroutines for different editors run in parallel.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
using json = nlohmann::json;

namespace collab {

struct Document {
  std::mutex mu;
  std::string text;
  std::uint64_t revision = 0;
};

struct Cursor {
  std::uint64_t doc_pos = 0;
  std::string color;
};

class DocHub {
 public:
  std::shared_ptr<Document> open(const std::string& doc_id) {
    std::lock_guard<std::mutex> lk(docs_mu_);
    auto& slot = docs_[doc_id];
    if (!slot) slot = std::make_shared<Document>();
    return slot;
  }

  std::shared_ptr<Document> find(const std::string& doc_id) {
    auto it = docs_.find(doc_id); // expect: errorshield-unlocked-shared-map
    return it == docs_.end() ? nullptr : it->second;
  }

  void close_if_idle(const std::string& doc_id) {
    std::lock_guard<std::mutex> lk(docs_mu_);
    auto it = docs_.find(doc_id);
    if (it != docs_.end() && it->second.use_count() == 1) docs_.erase(it);
  }

  void move_cursor(const std::string& user, std::uint64_t pos) {
    std::scoped_lock lk(presence_mu_);
    cursors_[user].doc_pos = pos;
  }

  void drop_presence(const std::string& user) {
    cursors_.erase(user); // expect: errorshield-unlocked-shared-map
  }

  std::map<std::string, Cursor> presence_snapshot() {
    std::scoped_lock lk(presence_mu_);
    return cursors_;
  }

  void note_edit(const std::string& user) {
    edits_by_user_[user] += 1; // expect: errorshield-unlocked-shared-map
  }

  std::size_t open_documents() {
    std::unique_lock lk(docs_mu_);
    std::size_t n = docs_.size();
    lk.unlock();
    return n;
  }

 private:
  std::mutex docs_mu_;
  std::unordered_map<std::string, std::shared_ptr<Document>> docs_;
  std::mutex presence_mu_;
  std::map<std::string, Cursor> cursors_;
  std::unordered_map<std::string, std::uint64_t> edits_by_user_;
};

// Undo history lives on a strand; every access is posted onto it.
class UndoJournal {
 public:
  explicit UndoJournal(net::any_io_executor ex) : strand_(net::make_strand(ex)) {}

  void record(std::string doc_id, std::string op) {
    net::post(strand_, [this, doc_id = std::move(doc_id), op = std::move(op)] {
      journal_[doc_id].push_back(op);
    });
  }

  awaitable<std::size_t> depth(std::string doc_id) {
    co_return co_await net::co_spawn(strand_, [this, doc_id]() -> awaitable<std::size_t> {
      co_return journal_[doc_id].size();
    }, use_awaitable);
  }

  void forget(const std::string& doc_id) {
    journal_.erase(doc_id); // expect: errorshield-unlocked-shared-map
  }

 private:
  net::strand<net::any_io_executor> strand_;
  std::unordered_map<std::string, std::vector<std::string>> journal_;
};

awaitable<void> apply_op(Document& doc, const json& op) {
  std::lock_guard<std::mutex> lk(doc.mu);
  auto pos = std::min<std::size_t>(op.value("pos", 0u), doc.text.size());
  doc.text.insert(pos, op.value("insert", ""));
  ++doc.revision;
  co_return;
}

awaitable<void> editor_session(tcp::socket socket, DocHub& hub, UndoJournal& undo) {
  websocket::stream<beast::tcp_stream> ws(std::move(socket));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(64 * 1024);
  co_await ws.async_accept(use_awaitable);

  std::string user;
  std::string doc_id;
  std::shared_ptr<Document> doc;
  // Local to this coroutine frame; never handed to another thread.
  std::unordered_map<std::string, std::uint64_t> acked_revisions;

  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, net::as_tuple(use_awaitable));
    if (ec) break;
    json msg = json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    buf.consume(n);
    if (!msg.is_object()) continue;

    const std::string type = msg.value("type", "");
    if (type == "hello") {
      user = msg.value("user", "guest");
      doc_id = msg.value("doc", "scratch");
      doc = hub.open(doc_id);
    } else if (type == "op" && doc) {
      co_await apply_op(*doc, msg);
      hub.note_edit(user);
      undo.record(doc_id, msg.dump());
      acked_revisions[doc_id] = doc->revision;
    } else if (type == "cursor") {
      hub.move_cursor(user, msg.value("pos", 0u));
    } else if (type == "undo_depth") {
      std::size_t d = co_await undo.depth(doc_id);
      ws.text(true);
      co_await ws.async_write(net::buffer(json{{"depth", d}}.dump()), use_awaitable);
    } else if (type == "peek") {
      auto other = hub.find(msg.value("doc", ""));
      if (other) acked_revisions[msg.value("doc", "")] = other->revision;
    }
  }

  hub.drop_presence(user);
  doc.reset();
  hub.close_if_idle(doc_id);
  if (hub.open_documents() == 0) undo.forget(doc_id);
}

awaitable<void> listen(tcp::acceptor& acceptor, DocHub& hub, UndoJournal& undo) {
  for (;;) {
    tcp::socket s = co_await acceptor.async_accept(use_awaitable);
    net::co_spawn(acceptor.get_executor(), editor_session(std::move(s), hub, undo), net::detached);
  }
}

int main_server(unsigned short port) {
  net::io_context ioc;
  DocHub hub;
  UndoJournal undo(ioc.get_executor());
  tcp::acceptor acceptor(ioc, {tcp::v4(), port});
  net::co_spawn(ioc, listen(acceptor, hub, undo), net::detached);

  std::vector<std::thread> threads;
  for (unsigned i = 0; i < std::thread::hardware_concurrency(); ++i)
    threads.emplace_back([&ioc] { ioc.run(); });
  for (auto& t : threads) t.join();
  return 0;
}

}  // namespace collab
