// BatchReader: the members of a replay batch (DESIGN §5.2 `replay`): a directory (every regular
// file below it whose name does not start with ".", in byte order of the relative path) or a tar
// archive (plain or compressed, via libarchive; regular members in archive order). A member
// below a path component "backoffice" or "ggk" comes from that peer; otherwise the peer is left
// empty for the pipeline to infer from the message type.
// Thread-safety: one thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "adapters/transport/transport.h"

namespace iwmo::transport {

// Calls `each` for every member, in order; stops early when it returns false.
// Errors: kNotFound (no such batch), kInvalid (not a directory and not a readable archive; the
// message says which), kUnavailable (I/O).
Status readBatch(const std::filesystem::path& batch, std::uint64_t max_bytes,
                 const std::function<bool(Received member)>& each);

// Counts the members without reading them (for the progress bar).
Result<std::uint64_t> countBatch(const std::filesystem::path& batch);

}  // namespace iwmo::transport
