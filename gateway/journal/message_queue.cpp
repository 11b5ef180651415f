// The blocking conveniences of the MessageQueue contract: each wraps the asynchronous call and waits
// for its callback. The promise is owned by the callback (a shared_ptr), so it outlives the
// writer thread's set_value even when the waiting thread wakes and returns at once.
#include "gateway/journal/message_queue.h"

#include <future>
#include <memory>
#include <utility>

namespace iwmo::journal {

Result<AppendOutcome> MessageQueue::appendSync(AppendRequest request) {
  auto promise = std::make_shared<std::promise<Result<AppendOutcome>>>();
  std::future<Result<AppendOutcome>> future = promise->get_future();
  append(std::move(request),
         [promise](Result<AppendOutcome> outcome) { promise->set_value(std::move(outcome)); });
  return future.get();
}

Result<bool> MessageQueue::commitResultSync(proto::HandlerResult result,
                                       std::vector<std::string> log_lines, Timestamp at) {
  auto promise = std::make_shared<std::promise<Result<bool>>>();
  std::future<Result<bool>> future = promise->get_future();
  commitResult(std::move(result), std::move(log_lines), at,
               [promise](Result<bool> committed) { promise->set_value(std::move(committed)); });
  return future.get();
}

Result<bool> MessageQueue::quarantineSync(MessageId id, std::string reason,
                                     std::vector<std::string> log_lines, Timestamp at) {
  auto promise = std::make_shared<std::promise<Result<bool>>>();
  std::future<Result<bool>> future = promise->get_future();
  quarantine(id, std::move(reason), std::move(log_lines), at,
             [promise](Result<bool> done) { promise->set_value(std::move(done)); });
  return future.get();
}

}  // namespace iwmo::journal
