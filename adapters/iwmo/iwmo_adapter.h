// IwmoAdapter: the standard adapter for iWmo 3.2 and iEb 4.0 (DESIGN §5.1 step 2). One call turns the bytes
// of a message into an Envelope: payload, SHA-256, detected message type, the verdict of levels 1
// and 2 (DESIGN §3) with one Finding per problem, and the summary later stages need.
//
//   level 1: refused input (INPUT), not well-formed (XML), unknown or inconsistent message type
//            (TYPE), schema violation (XSD): no retour; Fo01/StUF055 towards the GGk.
//   level 2: single-message rules (CS002, TR101, ...): retourcode 0001.
// Level 2 is checked only when level 1 passed (the rules rely on the schema's guarantees).
//
// Message type detection: the root element must be `Bericht` in one of the 14 iWmo 3.2 or the 4
// iEb (WMO405-408) message namespaces, and its Header/BerichtCode must be that message's code
// (COD002). Envelope.standard says which ("iwmo", "ieb"); iEb records land in summary.eb_records.
//
// Thread-safety: one adapter per thread (it owns a ValidatingParser); create more from the same
// shared SchemaSet for more threads.
#pragma once

#include <memory>
#include <string_view>

#include "adapters/xml/schema_set.h"
#include "adapters/xml/validating_parser.h"
#include "envelope.pb.h"
#include "gateway/base/bsn.h"
#include "gateway/base/result.h"

namespace iwmo::adapters::iwmo {

class IwmoAdapter {
 public:
  // `pseudonymise`: every BSN of the message that a finding's text repeats (a rule's "Bsn ...
  // fails the elfproef", a key in TR101, a value Xerces quotes) is replaced by what it returns
  // (issue 16); empty: findings keep the text as written (tests, tools that show nothing).
  // Errors: those of ValidatingParser::create.
  static Result<std::unique_ptr<IwmoAdapter>> create(
      std::shared_ptr<const adapters::xml::SchemaSet> schemas,
      adapters::xml::ParseLimits limits = {}, BsnPseudonymiser pseudonymise = nullptr);

  // Fills `envelope` (cleared first) for the message `payload` received from `source`.
  // Never fails: every problem is a Finding in envelope.verdict().
  void validate(std::string_view payload, std::string_view source, proto::Envelope& envelope);

  // Fills `envelope` with the level-1 refusal of a message too large to be read (`size` bytes
  // over limits().max_input_bytes), without its payload; `sha256` is the digest of the whole
  // message as its source streamed it ("" when unknown).
  void refuseOversize(std::uint64_t size, std::string_view sha256, std::string_view source,
                      proto::Envelope& envelope);

  const adapters::xml::ParseLimits& limits() const { return parser_->limits(); }
  const adapters::xml::SchemaSet& schemas() const { return parser_->schemas(); }

 private:
  IwmoAdapter(std::unique_ptr<adapters::xml::ValidatingParser> parser, BsnPseudonymiser pseudonymise)
      : parser_(std::move(parser)), pseudonymise_(std::move(pseudonymise)) {}
  void hideBsnsInFindings(proto::Envelope& envelope) const;

  std::unique_ptr<adapters::xml::ValidatingParser> parser_;
  BsnPseudonymiser pseudonymise_;
  adapters::xml::ParseOutcome outcome_;  // reused between calls
};

}  // namespace iwmo::adapters::iwmo
