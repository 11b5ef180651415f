// The CAK simulator's own state (an SQLite file): every heen message it answered (for TR056 and
// to answer a file read again with the same bytes) and its copy of every accepted AT / BW period
// (key: Afzender + Bsn + kind + EbStartNummer). One transaction per message (begin / commit).
// Thread-safety: one thread (it owns one SQLite connection).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "envelope.pb.h"
#include "gateway/base/result.h"
#include "gateway/journal/sqlite_handle.h"

namespace iwmo::simulators::cak {

// A period as the CAK holds it; a deleted one (StatusAanlevering 3 accepted) stays, marked.
struct StoredPeriod {
  proto::EbRecord record;
  bool deleted = false;
};

// The answer given to an earlier heen message.
struct EarlierAnswer {
  std::string sha256;       // of the whole file answered
  std::string retour_name;
  std::string retour;       // the bytes written
};

class CakState {
 public:
  // Opens (creating the file, its directory and the tables when absent) in WAL mode,
  // synchronous=FULL. Errors: those of SQLite (kUnavailable, kDataLoss, ...).
  static Result<std::unique_ptr<CakState>> open(const std::filesystem::path& file);

  Status begin();
  Status commit();
  void rollback();

  // The answer to the heen message with this key, if it was answered.
  Result<std::optional<EarlierAnswer>> answered(const std::string& afzender, const std::string& message_type,
                                                const std::string& identificatie);
  Status recordAnswer(const std::string& afzender, const std::string& message_type, const std::string& identificatie,
                      const EarlierAnswer& answer);

  // The period with the key of `record` (Bsn, kind, start number) from `afzender`.
  Result<std::optional<StoredPeriod>> find(const std::string& afzender, const proto::EbRecord& record);
  // The BW periods (not deleted) of a client from one municipality, but the one numbered `except`.
  Result<std::vector<proto::EbRecord>> liveBw(const std::string& afzender, const std::string& bsn,
                                              std::uint64_t except);
  Status store(const std::string& afzender, const StoredPeriod& period);

  // 1, 2, 3, ...: numbers the retours (their Identificatie "CAK<n>").
  Result<std::uint64_t> nextSequence();

 private:
  explicit CakState(journal::sqlite::Connection connection) : connection_(std::move(connection)) {}
  journal::sqlite::Connection connection_;
};

}  // namespace iwmo::simulators::cak
