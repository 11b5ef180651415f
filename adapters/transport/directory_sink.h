// DirectorySink: delivers outgoing messages as files into a directory (DESIGN §5.1 step 6):
// write ".NAME.tmp", then rename to NAME, so a reader never sees half a file; sync() makes a
// batch durable with one syncfs(). Delivering the same name twice replaces the file with the
// same bytes: a redelivery after a crash does not make a second file. A directory removed while
// the gateway runs is made again at the next attempt.
// Thread-safety: one delivery thread at a time.
#pragma once

#include <filesystem>
#include <string>

#include "adapters/transport/transport.h"

namespace iwmo::transport {

class DirectorySink final : public Sink {
 public:
  explicit DirectorySink(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~DirectorySink() override;
  Status deliver(const std::string& file_name, std::string_view payload, std::string& where) override;
  Status sync() override;
  std::string describe() const override { return "directory " + dir_.string(); }

 private:
  Status ensureDirectory();
  std::filesystem::path dir_;
  int dir_fd_ = -1;
  bool dirty_ = false;
};

}  // namespace iwmo::transport
