// checks: errorshield-deferred-ref-capture
// Process entry point of the order-routing daemon: config, io_context worker
// threads, graceful shutdown on SIGINT/SIGTERM and a log reopen on SIGHUP.
#include <boost/asio.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct Config {
  std::string host = "0.0.0.0";
  unsigned short port = 9443;
  unsigned threads = 2;
  std::string log_path = "/var/log/router.log";
};

Config load_config(int argc, char** argv);
void reopen_log(const std::string& path);
void report_health(const std::string& endpoint);
void flush_metrics();

std::function<void()> g_on_fatal;

void start_health_reporter(const Config& cfg) {
  std::string endpoint = cfg.host + ":" + std::to_string(cfg.port);
  // detached thread keeps reading endpoint after start_health_reporter returns
  std::thread([&endpoint] {  // expect: errorshield-deferred-ref-capture
    for (;;) {
      report_health(endpoint);
      std::this_thread::sleep_for(5s);
    }
  }).detach();
}

void start_health_reporter_fixed(const Config& cfg) {
  std::string endpoint = cfg.host + ":" + std::to_string(cfg.port);
  // fine: the detached thread owns its copy of endpoint
  std::thread([endpoint = std::move(endpoint)] {
    for (;;) {
      report_health(endpoint);
      std::this_thread::sleep_for(5s);
    }
  }).detach();
}

void install_fatal_hook(const Config& cfg) {
  // fine: cfg is a reference parameter bound to main's config, which lives for the whole run
  g_on_fatal = [&cfg] { std::cerr << "fatal on " << cfg.host << '\n'; };
}

int main(int argc, char** argv) {
  Config cfg = load_config(argc, argv);
  install_fatal_hook(cfg);
  asio::io_context ioc;
  auto guard = asio::make_work_guard(ioc);
  std::atomic<bool> draining{false};

  asio::signal_set stop_signals(ioc, SIGINT, SIGTERM);
  // fine: the io_context is run below in main, so the handler finishes before draining/guard die
  stop_signals.async_wait([&ioc, &draining, &guard](const boost::system::error_code& ec, int) {
    if (ec) return;
    draining = true;
    guard.reset();
    ioc.stop();
  });

  asio::signal_set hup(ioc, SIGHUP);
  std::function<void()> wait_hup;
  // fine: re-armed handler, completes inside ioc.run() while cfg and hup are alive
  wait_hup = [&] {
    hup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      reopen_log(cfg.log_path);
      wait_hup();
    });
  };
  wait_hup();

  start_health_reporter(cfg);

  std::vector<std::thread> pool;
  pool.reserve(cfg.threads);
  for (unsigned i = 0; i < cfg.threads; ++i) {
    // fine: the io_context is the execution context, and the threads are joined below
    pool.emplace_back([&ioc] { ioc.run(); });
  }

  // fine: jthread, stopped and joined when main's scope ends
  std::jthread metrics([&draining](std::stop_token st) {
    while (!st.stop_requested() && !draining) {
      flush_metrics();
      std::this_thread::sleep_for(1s);
    }
  });

  ioc.run();
  for (auto& t : pool) t.join();
  std::printf("router on %s:%u stopped\n", cfg.host.c_str(), cfg.port);
  return 0;
}
