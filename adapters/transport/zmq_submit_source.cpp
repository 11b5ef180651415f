#include "adapters/transport/zmq_submit_source.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "gateway/base/sha256.h"
#include "gateway/base/thread_role.h"

namespace iwmo::transport {

ZmqSubmitSource::ZmqSubmitSource(zmq::context_t& context, std::string endpoint, std::string peer,
                                 std::uint64_t max_bytes, std::uint64_t max_frame_bytes)
    : context_(context),
      endpoint_(std::move(endpoint)),
      peer_(std::move(peer)),
      max_bytes_(max_bytes),
      max_frame_bytes_(std::max(max_bytes, max_frame_bytes)) {}

ZmqSubmitSource::~ZmqSubmitSource() { stop(); }

Status ZmqSubmitSource::start(Receiver receiver) {
  receiver_ = std::move(receiver);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  auto socket = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::router);
  try {
    socket->set(zmq::sockopt::linger, 0);
    // Above max_bytes a frame is still received, to be answered (refused); only past the frame
    // cap does ZeroMQ drop the connection (the name frame and the REQ envelope are small).
    socket->set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(max_frame_bytes_));
    if (endpoint_.rfind("ipc://", 0) == 0) {
      const std::string path = endpoint_.substr(6);
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
      ::unlink(path.c_str());  // a stale socket file from a previous run
    }
    socket->bind(endpoint_);
  } catch (const zmq::error_t& e) {
    return Status::unavailable("cannot bind the submit endpoint " + endpoint_ + ": " + e.what() +
                               " (check peers." + peer_ + ".submit_endpoint; is another gateway running?)");
  }
  thread_ = std::thread([this, s = socket.release()] {
    setThreadRole("iwmo-submit", ThreadRole::kAcknowledgement);
    std::unique_ptr<zmq::socket_t> owned(s);
    run(owned.get());
  });
  return Status::ok();
}

void ZmqSubmitSource::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  if (wake_fd_ >= 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  if (wake_fd_ >= 0) ::close(wake_fd_);
  wake_fd_ = -1;
}

void ZmqSubmitSource::queueReply(Reply reply) {
  {
    std::lock_guard lock(mutex_);
    replies_.push_back(std::move(reply));
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
}

void ZmqSubmitSource::run(void* raw_socket) {
  zmq::socket_t& socket = *static_cast<zmq::socket_t*>(raw_socket);
  auto send = [&socket](const Reply& reply) {
    try {
      std::vector<zmq::message_t> frames;
      frames.emplace_back(reply.identity);
      if (reply.delimited) frames.emplace_back();
      frames.emplace_back(reply.body);
      zmq::send_multipart(socket, frames, zmq::send_flags::dontwait);
    } catch (const zmq::error_t&) {
      // The client went away; it did not get its answer and will resubmit (a duplicate then).
    }
  };
  while (true) {
    zmq::pollitem_t items[] = {{socket.handle(), 0, ZMQ_POLLIN, 0}, {nullptr, wake_fd_, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 2, std::chrono::milliseconds(500));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      return;
    }
    if ((items[1].revents & ZMQ_POLLIN) != 0) {
      std::uint64_t value = 0;
      [[maybe_unused]] const auto n = ::read(wake_fd_, &value, sizeof value);
    }
    std::deque<Reply> replies;
    bool stopping = false;
    std::size_t outstanding = 0;
    {
      std::lock_guard lock(mutex_);
      replies.swap(replies_);
      outstanding_ -= replies.size();
      stopping = stopping_;
      outstanding = outstanding_;
    }
    for (const Reply& reply : replies) send(reply);
    if (stopping && outstanding == 0) return;
    if (stopping || (items[0].revents & ZMQ_POLLIN) == 0) continue;
    while (true) {
      std::vector<zmq::message_t> frames;
      zmq::recv_result_t got;
      try {
        got = zmq::recv_multipart(socket, std::back_inserter(frames), zmq::recv_flags::dontwait);
      } catch (const zmq::error_t&) {
        break;
      }
      if (!got) break;
      if (frames.empty()) continue;
      Reply reply;
      reply.identity = frames[0].to_string();
      std::size_t at = 1;
      if (at < frames.size() && frames[at].size() == 0) {
        reply.delimited = true;  // REQ envelope
        ++at;
      }
      const std::size_t parts = frames.size() - at;
      if (parts != 1 && parts != 2) {
        reply.body = nlohmann::json{{"status", "error"},
                                    {"detail", "send one frame [payload] or two frames [name, payload]"}}
                         .dump();
        send(reply);
        continue;
      }
      Received message;
      const std::string name = parts == 2 ? frames[at].to_string() : std::string();
      const zmq::message_t& payload = frames[frames.size() - 1];
      message.size = payload.size();
      message.peer = peer_;
      message.source = endpoint_ + "#" + std::to_string(++sequence_) + (name.empty() ? "" : " " + name);
      if (message.size > max_bytes_) {
        message.oversize = true;  // answered as refused, never copied
        message.sha256 = sha256Hex(std::string_view(static_cast<const char*>(payload.data()), payload.size()));
      } else {
        message.bytes = payload.to_string();
      }
      {
        std::lock_guard lock(mutex_);
        ++outstanding_;
      }
      receiver_(std::move(message), [this, reply](const AckInfo& info) mutable {
        nlohmann::json body;
        if (info.journaled) {
          body = {{"status", info.verdict}, {"message_id", info.message_id}, {"detail", info.detail}};
        } else {
          body = {{"status", "error"}, {"detail", info.detail}};
        }
        reply.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        queueReply(std::move(reply));
      });
    }
  }
}

}  // namespace iwmo::transport
