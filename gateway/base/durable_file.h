// Small files that must survive a crash whole: written to a temporary file next to the target,
// fsynced, renamed over it, and the directory fsynced, so that a reader sees the old content or
// the new one, never a part. For state files of a few bytes (not for payloads: those go through
// the journal or a Sink).
// Thread-safety: plain functions; two writers of one file must not run at once.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "gateway/base/result.h"

namespace iwmo {

// Replaces `file` with `content` durably (mode 0640). Errors: kUnavailable naming the file and
// the system's reason.
Status writeFileDurably(const std::filesystem::path& file, const std::string& content);

// The whole content of `file`, or nullopt when it does not exist. Errors: kUnavailable.
Result<std::optional<std::string>> readSmallFile(const std::filesystem::path& file);

// fsync of a directory, after a file in it was created, renamed or removed.
Status fsyncDirectory(const std::filesystem::path& dir);

}  // namespace iwmo
