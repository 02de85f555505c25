// checks: errorshield-deferred-ref-capture
// Chat presence service: Beast WebSocket sessions register themselves in a
// presence registry. Disconnect cleanup, idle kicks, room notices and
// snapshot exports are deferred onto strands, timers or worker threads.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class presence_registry {
public:
    void add(const std::string& user_id, std::weak_ptr<void> conn) {
        std::lock_guard lk(mu_);
        conns_[user_id] = std::move(conn);
    }
    void remove(const std::string& user_id) {
        std::lock_guard lk(mu_);
        conns_.erase(user_id);
    }
    std::vector<std::string> online() const {
        std::lock_guard lk(mu_);
        std::vector<std::string> out;
        out.reserve(conns_.size());
        for (const auto& [id, conn] : conns_)
            if (!conn.expired()) out.push_back(id);
        return out;
    }

private:
    mutable std::mutex mu_;
    std::unordered_map<std::string, std::weak_ptr<void>> conns_;
};

static void write_snapshot(const std::string& path, const std::vector<std::string>& users) {
    std::ofstream out(path, std::ios::trunc);
    for (const auto& u : users) out << u << '\n';
}

class chat_session : public std::enable_shared_from_this<chat_session> {
public:
    chat_session(tcp::socket sock, presence_registry& reg)
        : ws_(std::move(sock)), registry_(reg), idle_timer_(ws_.get_executor()) {}

    void run(std::string user_id) {
        user_id_ = std::move(user_id);
        registry_.add(user_id_, weak_from_this());
        ws_.async_accept(beast::bind_front_handler(&chat_session::on_accept, shared_from_this()));
    }

    net::any_io_executor executor() { return ws_.get_executor(); }

    // Guest upgraded to a real account: drop the guest entry after in-flight
    // handlers on this strand have drained.
    void rebind_identity(std::string new_id) {
        net::post(ws_.get_executor(),
                  [self = shared_from_this(), old_id = user_id_] { self->registry_.remove(old_id); });
        user_id_ = std::move(new_id);
        registry_.add(user_id_, weak_from_this());
    }

    void arm_idle_kick(std::chrono::seconds timeout) {
        std::string reason = "idle for " + std::to_string(timeout.count()) + "s";
        idle_timer_.expires_after(timeout);
        idle_timer_.async_wait([self = shared_from_this(), &reason](beast::error_code ec) { // expect: errorshield-deferred-ref-capture
            if (ec) return;
            self->ws_.async_close(websocket::close_reason(websocket::close_code::policy_error, reason),
                                  [self](beast::error_code) {});
        });
    }

    void arm_heartbeat(std::chrono::seconds every) {
        idle_timer_.expires_after(every);
        idle_timer_.async_wait([self = shared_from_this(), every](beast::error_code ec) {
            if (ec) return;
            self->ws_.async_ping({}, [self, every](beast::error_code ec2) {
                if (!ec2) self->arm_heartbeat(every);
            });
        });
    }

    void send(std::string text) {
        net::post(ws_.get_executor(), [self = shared_from_this(), msg = std::move(text)]() mutable {
            self->outbox_.push_back(std::move(msg));
            if (self->outbox_.size() == 1) self->flush();
        });
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec) return;
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&chat_session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) {
            registry_.remove(user_id_);
            return;
        }
        buffer_.consume(buffer_.size());
        do_read();
    }

    void flush() {
        ws_.async_write(net::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->outbox_.pop_front();
            if (!self->outbox_.empty()) self->flush();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    presence_registry& registry_;
    net::steady_timer idle_timer_;
    beast::flat_buffer buffer_;
    std::deque<std::string> outbox_;
    std::string user_id_;
};

class presence_server {
public:
    explicit presence_server(net::io_context& ioc) : ioc_(ioc), strand_(net::make_strand(ioc)) {}

    // Called by the auth service with ids whose tokens were revoked.
    void drop_revoked(const std::vector<std::string>& ids) {
        std::string uid;
        for (const auto& id : ids) {
            uid = id;
            net::post(strand_, [this, &uid] { registry_.remove(uid); }); // expect: errorshield-deferred-ref-capture
        }
    }

    void drop_expired(const std::vector<std::string>& ids) {
        for (const auto& id : ids)
            net::post(strand_, [this, uid = id] { registry_.remove(uid); });
    }

    void broadcast_room_notice(const std::string& room) {
        std::string notice = R"({"type":"notice","room":")" + room + R"("})";
        for (auto& s : sessions_)
            net::post(s->executor(), [&] { s->send(notice); }); // expect: errorshield-deferred-ref-capture
    }

    void export_snapshot(const std::string& path) {
        auto users = registry_.online();
        std::thread([&users, path] { write_snapshot(path, users); }).detach(); // expect: errorshield-deferred-ref-capture
    }

    void export_snapshot_sync(const std::string& path, const std::string& hidden_prefix) {
        auto users = registry_.online();
        std::erase_if(users, [&hidden_prefix](const std::string& u) { return u.rfind(hidden_prefix, 0) == 0; });
        std::sort(users.begin(), users.end());
        std::thread writer([&users, &path] { write_snapshot(path, users); });
        writer.join();
    }

    void schedule_gc(net::io_context& ioc, presence_registry& reg) {
        net::post(ioc, [&reg] {
            for (const auto& id : reg.online())
                if (id.rfind("guest-", 0) == 0) reg.remove(id);
        });
    }

    void attach(std::shared_ptr<chat_session> s) { sessions_.push_back(std::move(s)); }

private:
    net::io_context& ioc_;
    net::strand<net::io_context::executor_type> strand_;
    presence_registry registry_;
    std::vector<std::shared_ptr<chat_session>> sessions_;
};
