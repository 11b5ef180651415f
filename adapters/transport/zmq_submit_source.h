// ZmqSubmitSource: a ZeroMQ endpoint where a back office submits messages by socket (issue 3).
//
// Protocol: the client connects a REQ (or DEALER) socket and sends one message per request:
// either one frame [payload] or two frames [name, payload] (the name is kept as the source).
// The gateway answers once the message is journaled — never before — with one frame of JSON:
//   {"status":"accepted"|"rejected"|"duplicate","message_id":42,"detail":"..."}
// or, when it could not take the message (journal unavailable, a request of 3+ frames),
//   {"status":"error","detail":"..."}; the client keeps the message and retries later.
// "rejected" means journaled but refused (invalid, or over `max_bytes`): it is in the rejected
// area with its report. A frame over `max_bytes` is received whole (so that it gets its answer,
// issue 16), digested and dropped; only a frame over `max_frame_bytes` is cut off by ZeroMQ
// itself, which closes the connection without an answer (limits.max_submit_frame_bytes).
//
// Thread-safety: one thread of its own; Acks from any thread (queued and sent by that thread).
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "adapters/transport/transport.h"

namespace zmq {
class context_t;
}

namespace iwmo::transport {

class ZmqSubmitSource final : public Source {
 public:
  // REQUIRES: max_frame_bytes >= max_bytes.
  ZmqSubmitSource(zmq::context_t& context, std::string endpoint, std::string peer,
                  std::uint64_t max_bytes, std::uint64_t max_frame_bytes);
  ~ZmqSubmitSource() override;
  Status start(Receiver receiver) override;
  void stop() override;
  std::string describe() const override { return "ZeroMQ endpoint " + endpoint_; }

 private:
  struct Reply {
    std::string identity;
    bool delimited = false;
    std::string body;
  };
  void run(void* socket);
  void queueReply(Reply reply);

  zmq::context_t& context_;
  std::string endpoint_;
  std::string peer_;
  std::uint64_t max_bytes_;
  std::uint64_t max_frame_bytes_;
  Receiver receiver_;
  int wake_fd_ = -1;
  std::thread thread_;
  std::mutex mutex_;
  std::deque<Reply> replies_;
  std::size_t outstanding_ = 0;
  bool stopping_ = false;
  std::uint64_t sequence_ = 0;
};

}  // namespace iwmo::transport
