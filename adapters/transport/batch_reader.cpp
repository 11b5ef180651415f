#include "adapters/transport/batch_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <memory>
#include <vector>

#include "adapters/transport/file_digest.h"
#include "gateway/base/sha256.h"

namespace iwmo::transport {
namespace {

namespace fs = std::filesystem;

std::string peerOf(const fs::path& relative) {
  for (const auto& part : relative.parent_path()) {
    if (part == "backoffice") return "backoffice";
    if (part == "ggk") return "ggk";
  }
  return "";
}

bool hidden(const fs::path& relative) {
  for (const auto& part : relative) {
    const std::string text = part.string();
    if (text == "." || text == "..") continue;  // "./valid/x.xml" as tar writes it
    if (!text.empty() && text[0] == '.') return true;
  }
  return false;
}

struct ArchiveFree {
  void operator()(archive* a) const noexcept { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

Result<ArchivePtr> openArchive(const fs::path& batch) {
  ArchivePtr reader(archive_read_new());
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_tar(reader.get());
  archive_read_support_format_gnutar(reader.get());
  if (archive_read_open_filename(reader.get(), batch.c_str(), 1 << 16) != ARCHIVE_OK) {
    return Status::invalid("replay batch " + batch.string() +
                           " is neither a directory nor a readable tar archive: " +
                           archive_error_string(reader.get()));
  }
  return reader;
}

// Calls `each(relative)` for every regular, non-hidden file below `dir`, in the order of
// std::filesystem::path comparison (component by component, byte order within a component),
// which is the order a sorted full listing would give. Only one directory's names are held at a
// time (plus those of its ancestors still being walked), so a batch of 100 000 files in one
// directory costs its names (~40 bytes each), not 100 000 path objects.
Status walkSorted(const fs::path& root, const fs::path& relative_dir,
                  const std::function<Status(const fs::path& relative)>& each) {
  struct Entry {
    std::string name;
    bool directory;
  };
  std::vector<Entry> entries;
  std::error_code ec;
  const fs::path dir = relative_dir.empty() ? root : root / relative_dir;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::end(it); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      entries.push_back({std::move(name), true});
    } else if (it->is_regular_file(type_ec)) {
      entries.push_back({std::move(name), false});
    }
  }
  if (ec) return Status::unavailable("cannot list replay batch directory " + dir.string() + ": " + ec.message());
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  for (const Entry& entry : entries) {
    const fs::path relative = relative_dir / entry.name;
    Status status = entry.directory ? walkSorted(root, relative, each) : each(relative);
    if (!status.isOk()) return status;
  }
  return Status::ok();
}

// What a walk callback returns to stop the walk early (the caller knows it asked to stop).
Status stopWalk() { return Status::failedPrecondition("replay stopped early"); }

}  // namespace

Status readBatch(const fs::path& batch, std::uint64_t max_bytes,
                 const std::function<bool(Received member)>& each) {
  std::error_code ec;
  if (!fs::exists(batch, ec)) return Status::notFound("no such replay batch: " + batch.string());
  if (fs::is_directory(batch, ec)) {
    bool stopped = false;
    Status walked = walkSorted(batch, {}, [&](const fs::path& relative) -> Status {
      Received member;
      member.source = (batch / relative).string();
      member.peer = peerOf(relative);
      std::error_code size_ec;
      member.size = fs::file_size(batch / relative, size_ec);
      if (size_ec) return Status::unavailable("cannot read " + member.source + ": " + size_ec.message());
      if (member.size > max_bytes) {
        member.oversize = true;
        Result<std::string> digest = sha256OfFile(batch / relative);
        if (!digest) return digest.status();
        member.sha256 = std::move(*digest);
      } else {
        std::ifstream in(batch / relative, std::ios::binary);
        member.bytes.resize(static_cast<std::size_t>(member.size));
        in.read(member.bytes.data(), static_cast<std::streamsize>(member.size));
        if (!in) return Status::unavailable("cannot read " + member.source);
      }
      if (!each(std::move(member))) {
        stopped = true;
        return stopWalk();
      }
      return Status::ok();
    });
    if (!walked.isOk() && !stopped) return walked;
    return Status::ok();
  }
  auto reader = openArchive(batch);
  if (!reader) return reader.status();
  archive_entry* entry = nullptr;
  while (true) {
    const int rc = archive_read_next_header(reader->get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      return Status::invalid("replay batch " + batch.string() + " is damaged: " +
                             archive_error_string(reader->get()));
    }
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    const fs::path relative = archive_entry_pathname(entry);
    if (hidden(relative)) continue;
    Received member;
    member.source = batch.string() + ":" + relative.string();
    member.peer = peerOf(relative);
    member.size = static_cast<std::uint64_t>(archive_entry_size(entry));
    if (member.size > max_bytes) {
      member.oversize = true;
      Sha256 digest;  // read through, never held
      std::vector<char> buffer(1 << 20);
      while (true) {
        const la_ssize_t got = archive_read_data(reader->get(), buffer.data(), buffer.size());
        if (got < 0) {
          return Status::invalid("cannot read " + member.source + ": " + archive_error_string(reader->get()));
        }
        if (got == 0) break;
        digest.update(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
      }
      member.sha256 = digest.hexDigest();
    } else {
      member.bytes.resize(static_cast<std::size_t>(member.size));
      std::size_t done = 0;
      while (done < member.bytes.size()) {
        const la_ssize_t got =
            archive_read_data(reader->get(), member.bytes.data() + done, member.bytes.size() - done);
        if (got < 0) {
          return Status::invalid("cannot read " + member.source + ": " +
                                 archive_error_string(reader->get()));
        }
        if (got == 0) break;
        done += static_cast<std::size_t>(got);
      }
      member.bytes.resize(done);
    }
    if (!each(std::move(member))) break;
  }
  return Status::ok();
}

Result<std::uint64_t> countBatch(const fs::path& batch) {
  std::error_code ec;
  if (!fs::exists(batch, ec)) return Status::notFound("no such replay batch: " + batch.string());
  if (fs::is_directory(batch, ec)) {
    std::uint64_t count = 0;
    Status walked = walkSorted(batch, {}, [&](const fs::path&) {
      ++count;
      return Status::ok();
    });
    if (!walked.isOk()) return walked;
    return count;
  }
  auto reader = openArchive(batch);
  if (!reader) return reader.status();
  std::uint64_t count = 0;
  archive_entry* entry = nullptr;
  while (archive_read_next_header(reader->get(), &entry) == ARCHIVE_OK) {
    if (archive_entry_filetype(entry) == AE_IFREG &&
        !hidden(fs::path(archive_entry_pathname(entry)))) {
      ++count;
    }
    archive_read_data_skip(reader->get());
  }
  return count;
}

}  // namespace iwmo::transport
