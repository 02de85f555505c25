// A stream layer under websocket::stream that gathers what is written to one connection in quick
// succession into a single send.
//
// Beast writes each WebSocket message (and each control frame) with writes of its own, so a
// message and its ack, or a burst of room messages, cost one sendmsg each: half of the server's
// CPU time. This layer accepts a write by copying it and completing at once (posted), and sends
// what it has accepted once a full trip through the strand's queue has added nothing more: a
// connection working through a burst of pipelined requests, or receiving from several senders at
// once, gets all of it with one send. That send is one non-blocking write straight to the socket;
// only what the socket does not take goes through an asynchronous write. While such a write is in
// progress the layer keeps accepting up to max_pending bytes, then holds the next write back until
// it completes: a peer that does not read still stops the writer, and the session's capped queue
// then closes it with 1013.
//
// A send must keep the connection alive without the layer owning it: set_owner() names the object
// whose lifetime covers the stream (the session), and every send holds a reference to it.
// Everything here runs on the connection's strand, like the websocket stream above it.
#pragma once

#include "beast.h"

#include <boost/beast/core/saved_handler.hpp>

#include <memory>
#include <string>
#include <utility>

namespace chat {

template <class NextLayer> class CoalescingStream {
public:
  using executor_type = typename NextLayer::executor_type;
  using next_layer_type = NextLayer;
  // Accepted while an asynchronous write is in progress, before writers are held back.
  static constexpr std::size_t max_pending = 64 * 1024;
  // A batch this large, or still growing after this many trips, is sent without waiting more:
  // the wait for a quiet trip bounds neither memory nor latency by itself.
  static constexpr std::size_t max_batch = 16 * 1024;
  static constexpr unsigned max_quiet_trips = 32;

  template <class Arg> explicit CoalescingStream(Arg &&arg) : next_(std::forward<Arg>(arg)) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  NextLayer &next_layer() noexcept { return next_; }
  const NextLayer &next_layer() const noexcept { return next_; }

  void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

  // Reads go straight to the next layer; the layer only notes whether one is waiting on the
  // socket, which tells wait_for_quiet whether more replies may still be on their way.
  template <class MutableBufferSequence, class ReadHandler>
  auto async_read_some(const MutableBufferSequence &buffers, ReadHandler &&handler) {
    return net::async_initiate<ReadHandler, void(beast::error_code, std::size_t)>(
        [this](auto completion, const MutableBufferSequence &data) {
          reading_ = true;
          auto executor = net::get_associated_executor(completion, get_executor());
          next_.async_read_some(
              data, net::bind_executor(executor, [this, completion = std::move(completion)](
                                                     beast::error_code ec, std::size_t n) mutable {
                reading_ = false;
                std::move(completion)(ec, n);
              }));
        },
        handler, buffers);
  }

  template <class ConstBufferSequence, class WriteHandler>
  auto async_write_some(const ConstBufferSequence &buffers, WriteHandler &&handler) {
    return net::async_initiate<WriteHandler, void(beast::error_code, std::size_t)>(
        [this](auto completion, const ConstBufferSequence &data) {
          accept(data, std::move(completion));
        },
        handler, buffers);
  }

  // Completes once everything accepted so far has been sent, or sending has failed.
  template <class FlushHandler> auto async_flush(FlushHandler &&handler) {
    return net::async_initiate<FlushHandler, void(beast::error_code)>(
        [this](auto completion) {
          if (!sending_ && (pending_.empty() || failed()))
            return net::post(get_executor(),
                             beast::bind_front_handler(std::move(completion), failure()));
          // Invoked by on_sent's chain, on this strand, which is also the completion's executor.
          // (saved_handler wants a handler it could cancel with an error; nothing cancels these.)
          flushed_.emplace([this, completion = std::move(completion)](
                               beast::error_code aborted = {}) mutable {
            std::move(completion)(aborted ? aborted : error_);
          });
          schedule_send();
        },
        handler);
  }

private:
  template <class ConstBufferSequence, class Completion>
  void accept(const ConstBufferSequence &buffers, Completion completion) {
    if (failed())
      return complete(std::move(completion), failure(), 0);
    const std::size_t size = net::buffer_size(buffers);
    const std::size_t offset = pending_.size();
    pending_.resize(offset + size);
    net::buffer_copy(net::buffer(pending_.data() + offset, size), buffers);
    if (sending_ && pending_.size() > max_pending) {
      // Completed by on_sent, on this strand, when the send in progress is done (see flushed_).
      held_.emplace([this, completion = std::move(completion), size](
                        beast::error_code aborted = {}) mutable {
        const beast::error_code ec = aborted ? aborted : error_;
        std::move(completion)(ec, ec ? 0 : size);
      });
      return;
    }
    complete(std::move(completion), {}, size);
    schedule_send();
  }

  // A stream that can no longer send: a send failed, or the owner is gone (set_owner() was never
  // called, or the connection is being destroyed). Nothing is accepted that would then be dropped.
  bool failed() const { return error_ || owner_.expired(); }
  beast::error_code failure() const {
    return error_ ? error_ : beast::error_code(net::error::operation_aborted);
  }

  template <class Completion>
  void complete(Completion completion, beast::error_code ec, std::size_t size) {
    // Never from inside the initiating call: posted, to run on the handler's own executor.
    net::post(get_executor(), beast::bind_front_handler(std::move(completion), ec, size));
  }

  void schedule_send() {
    if (sending_ || send_scheduled_)
      return;
    std::shared_ptr<void> owner = owner_.lock();
    if (!owner)
      return; // The connection is being destroyed: nothing more is sent.
    send_scheduled_ = true;
    wait_for_quiet(std::move(owner), 0);
  }

  // Sends once a full trip through the strand's queue has added nothing to the batch and the
  // connection's reader is waiting on the socket. Until the reader has drained its input, each
  // buffered request may still add a reply (its handler runs a trip or two after the previous
  // reply was accepted); once it waits, one quiet trip lets writes posted from other
  // connections' handlers join. A batch that keeps growing is sent after max_quiet_trips anyway.
  void wait_for_quiet(std::shared_ptr<void> owner, unsigned trips) {
    net::post(get_executor(), [this, owner = std::move(owner), trips,
                               size = pending_.size()]() mutable {
      const bool quiet = pending_.size() == size && reading_;
      if (!quiet && pending_.size() < max_batch && trips + 1 < max_quiet_trips)
        return wait_for_quiet(std::move(owner), trips + 1);
      send_scheduled_ = false;
      send(std::move(owner));
    });
  }

  void send(std::shared_ptr<void> owner) {
    if (sending_ || pending_.empty() || error_)
      return finish_flush();
    const std::size_t written = write_now();
    if (error_ || written == pending_.size()) {
      pending_.clear();
      return finish_flush();
    }
    sending_ = true;
    batch_.swap(pending_); // pending_ takes the previous batch's buffer, capacity and all.
    pending_.clear();
    net::async_write(next_, net::buffer(batch_) + written,
                     // The owner, held until on_sent returns, keeps the connection alive.
                     [this, owner = std::move(owner)](beast::error_code ec, std::size_t) {
                       on_sent(ec);
                     });
  }

  // One non-blocking write of the batch, straight to the socket: nearly always the socket's send
  // buffer takes it whole, and no completion has to be posted (a third of the system calls' cost
  // per message was the asynchronous write's bookkeeping). Returns what was taken; the rest goes
  // through an asynchronous write. (Asynchronous operations ignore the socket's non-blocking
  // mode; it only keeps this write from waiting.)
  std::size_t write_now() {
    auto &socket = beast::get_lowest_layer(next_).socket();
    beast::error_code ec;
    if (!socket.non_blocking())
      socket.non_blocking(true, ec);
    const std::size_t written = ec ? 0 : socket.write_some(net::buffer(pending_), ec);
    if (ec == net::error::would_block || ec == net::error::try_again)
      return 0;
    if (ec)
      fail(ec);
    return written;
  }

  void on_sent(beast::error_code ec) {
    sending_ = false;
    if (ec)
      fail(ec);
    // What was accepted meanwhile goes once it stops growing. The wait starts before a held
    // write is released, so that the writes this releases join it rather than start another.
    const bool more = !pending_.empty() && !error_;
    if (more)
      schedule_send();
    if (held_.has_value())
      held_.invoke();
    if (!more)
      finish_flush();
  }

  void fail(beast::error_code ec) {
    if (error_)
      return;
    error_ = ec; // Every later write fails with it.
    // The read side would only notice at its next read: closing the socket ends that too.
    beast::close_socket(beast::get_lowest_layer(next_));
  }

  void finish_flush() {
    if (flushed_.has_value() && !sending_)
      flushed_.invoke();
  }

  NextLayer next_;
  std::weak_ptr<void> owner_;
  std::string pending_;        // Accepted, not yet handed to the next layer.
  std::string batch_;          // Being written by the next layer while sending_.
  bool sending_ = false;
  bool send_scheduled_ = false;
  bool reading_ = false; // A read of the next layer is waiting for data.
  beast::error_code error_;
  beast::saved_handler held_;    // A write beyond max_pending, waiting for the send in progress.
  beast::saved_handler flushed_; // A flush waiting for everything accepted to be sent.
};

// The WebSocket closing handshake ends with a TCP teardown of the next layer (found by Beast
// through argument-dependent lookup): whatever is still pending, the close frame included, is
// sent first.
template <class NextLayer, class TeardownHandler>
void async_teardown(beast::role_type role, CoalescingStream<NextLayer> &stream,
                    TeardownHandler &&handler) {
  auto *next = &stream.next_layer();
  stream.async_flush([role, next, handler = std::forward<TeardownHandler>(handler)](
                         beast::error_code ec) mutable {
    if (ec) { // Nothing more can be sent: no orderly shutdown to wait for.
      beast::close_socket(beast::get_lowest_layer(*next));
      return std::move(handler)(ec);
    }
    using beast::websocket::async_teardown;
    async_teardown(role, *next, std::move(handler));
  });
}

// The synchronous close is not supported: it would have to wait for an asynchronous send.
template <class NextLayer>
void teardown(beast::role_type role, CoalescingStream<NextLayer> &stream, beast::error_code &ec) =
    delete;

} // namespace chat
