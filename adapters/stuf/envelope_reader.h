// EnvelopeReader: reads what arrives from the GGk side (DESIGN §5.1 step 2): a StUF-GGk 2.1.04
// envelope (envelopHeenbericht-ggk_Di01 / envelopRetourbericht-ggk_Du01) with its base64 payload,
// or a StUF Fo01 error message. One validating pass (adapters/xml: no network, no DTD, no external
// entities, grammars only from the locked pool) over the whole document, then the payload is
// decoded and checked: UTF-8 without BOM, whole envelope at most the configured limit (25 MB by
// default). Knows nothing of iWmo: the payload goes on, undecided, to the adapter of `functie`.
//
//   auto reader = EnvelopeReader::create(schemas);     // schemas: schemas/stuf-ggk
//   ReadOutcome in;
//   (*reader)->read(bytes, in);
//   if (!in.ok()) -> level 1 (DESIGN §3): in.status() names the element and the rule; the
//                    fields that could still be read (referentienummer, zender) say whom to answer.
//   else switch (in.kind): Di01 / Du01 -> in.envelope (payload decoded); Fo01 -> in.fo01.
//
// A refused document is not an error of the reader: read() always succeeds and reports problems.
// Thread-safety: one reader per thread (it owns a ValidatingParser); the SchemaSet is shared.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "adapters/stuf/stuf_types.h"
#include "adapters/xml/schema_set.h"
#include "adapters/xml/validating_parser.h"
#include "gateway/base/result.h"

namespace iwmo::adapters::stuf {

struct ReaderLimits {
  // Whole document, base64 included (limits.max_message_bytes in the config).
  std::size_t max_envelope_bytes = kDefaultMaxEnvelopeBytes;
  std::size_t max_problems = 20;
  std::size_t max_element_depth = adapters::xml::ParseLimits::kDefaultMaxElementDepth;
};

struct ReadOutcome {
  BerichtKind kind = BerichtKind::Unknown;
  // kind Di01 / Du01. Complete when ok(). Otherwise holds the stuurgegevens and parameters that
  // could be read (possibly invalid values, "" where absent) and no payload.
  GgkEnvelope envelope;
  // kind Fo01. Complete when ok(); otherwise as far as it could be read.
  Fo01Bericht fo01;
  std::vector<EnvelopeProblem> problems;
  bool truncated = false;  // more than ReaderLimits::max_problems problems

  bool ok() const { return problems.empty(); }
  // OK, or kInvalid: "<what> refused: <element>: <rule>: <message>" for the first problem, with
  // the number of further problems.
  Status status() const;
};

class EnvelopeReader {
 public:
  // REQUIRES: `schemas` declares the StUF and GGk namespaces (schemas/stuf-ggk does).
  // Errors: kFailedPrecondition (a namespace missing), those of ValidatingParser::create.
  static Result<std::unique_ptr<EnvelopeReader>> create(
      std::shared_ptr<const adapters::xml::SchemaSet> schemas, ReaderLimits limits = {});
  ~EnvelopeReader();
  EnvelopeReader(const EnvelopeReader&) = delete;
  EnvelopeReader& operator=(const EnvelopeReader&) = delete;

  // Reads `bytes` into `outcome` (overwritten). Never fails; see ReadOutcome. A UTF-8 byte-order
  // mark in front of the envelope itself is skipped (XML 1.0 allows it there; only the payload
  // must be without one).
  void read(std::string_view bytes, ReadOutcome& outcome);

  // read() for a caller that expects a Di01 or Du01. Errors: kInvalid (refused, or a Fo01).
  Result<GgkEnvelope> unwrap(std::string_view bytes);
  // read() for a caller that expects a Fo01. Errors: kInvalid (refused, or an envelope).
  Result<Fo01Bericht> readFo01(std::string_view bytes);

  const ReaderLimits& limits() const { return limits_; }

 private:
  EnvelopeReader(std::unique_ptr<adapters::xml::ValidatingParser> parser, ReaderLimits limits);

  std::unique_ptr<adapters::xml::ValidatingParser> parser_;
  ReaderLimits limits_;
  adapters::xml::ParseOutcome parse_;  // reused between calls
};

}  // namespace iwmo::adapters::stuf
