// The iEb emitter (DESIGN §2.2, §5.1 step 6) behind EigenBijdrageHandler's contract: writes one
// WMO405 / WMO407 heen message with adapters/ieb and validates it against the schema set with
// adapters/iwmo before the handler gets it; describes EB001 codes for operators.
// Thread-safety: the returned functions may be called from any worker thread at once (the
// validating adapters come from a pool, one per calling thread at a time).
#pragma once

#include <memory>

#include "adapters/xml/schema_set.h"
#include "adapters/xml/validating_parser.h"
#include "gateway/base/bsn.h"
#include "gateway/handlers/eigen_bijdrage_handler.h"

namespace iwmo::adapters::emit {

// Builds and validates WMO405 / WMO407 against `schemas` (iWmo + iEb) under `limits`.
// `pseudonymise` stands in for a BSN in the findings of an output that does not validate.
// The pool of validating adapters lives in the returned function and dies with it (with the
// handler chain that holds it, so before Xerces terminates: issue 16).
// The function's errors: kInvalid (the Dagtekening is not a date), kInternal naming the findings
// (the XML does not validate), those of IwmoAdapter::create.
handlers::IebWriteFunction makeIebWriter(std::shared_ptr<const xml::SchemaSet> schemas,
                                         xml::ParseLimits limits, BsnPseudonymiser pseudonymise);

// The meaning of an EB001 code (adapters/ieb/eb001.h), for the handler's operator items.
handlers::Eb001DescribeFunction eb001Describer();

}  // namespace iwmo::adapters::emit
