// Reference data for the responsibility rules (issue 5, DESIGN §4.2) from CSV: BRP periods,
// institutions, imported BW episodes and BW regions. Every row is checked (BSN elfproef without
// ever echoing a BSN, municipality codes that existed, dates, periods in order, no overlapping
// BRP periods of one client, one region per member and one mandate per region); the import is
// all or nothing, so the caller stores the rows only when no row has a problem.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/csv.h"
#include "gateway/base/result.h"
#include "gateway/journal/reference_store.h"
#include "gateway/rules/gemeente_table.h"

namespace iwmo::reference_data {

enum class ReferenceKind { kBrp, kInstitutions, kEpisodes, kRegions };

// "brp", "institutions", "episodes", "regions"; nullopt for any other name.
std::optional<ReferenceKind> referenceKindNamed(std::string_view name);
std::string_view nameOf(ReferenceKind kind);

// The checked rows of one data set (only the kind's own field is filled).
struct ReferenceRows {
  std::vector<journal::BrpRow> brp;
  std::vector<proto::InstitutionRecord> institutions;
  std::vector<journal::EpisodeRow> episodes;
  std::vector<proto::RegionRecord> regions;
  std::size_t count = 0;  // rows read (regions: members)
};

// What was wrong, "FILE:LINE: what" (the first 50 shown), and how many problems in all.
struct RowProblems {
  std::vector<std::string> shown;
  std::size_t count = 0;
};

// Checks every row of `csv` (read from `file`) as a `kind` data set; `problems` lists what is
// wrong, and the rows must then not be stored. Errors: a required column is missing (kInvalid).
Result<ReferenceRows> checkReferenceRows(ReferenceKind kind, const CsvTable& csv, const std::string& file,
                                         const rules::GemeenteTable& table, RowProblems& problems);

// Replaces the stored data set of `kind` with `rows` (one transaction).
Status storeReferenceRows(ReferenceKind kind, ReferenceRows rows, journal::ReferenceStore& store);

}  // namespace iwmo::reference_data
