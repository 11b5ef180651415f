// libFuzzer target: arbitrary bytes through the whole iWmo standard adapter (input checks,
// Xerces SAX2 validation against the project's schema set, tree capture, type detection,
// single-message rules, extraction). Run it with fuzz/run-fuzz.sh (see its header).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <string_view>

#include "adapters/iwmo/iwmo_adapter.h"
#include "adapters/xml/schema_set.h"
#include "adapters/xml/xerces_platform.h"

namespace {

iwmo::adapters::iwmo::IwmoAdapter* adapter = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Lives for the whole process, like main()'s XercesPlatform.
  static iwmo::adapters::xml::XercesPlatform xerces;
  const char* dir = std::getenv("IWMO_FUZZ_SCHEMAS");
  auto schemas = iwmo::adapters::xml::SchemaSet::load(dir != nullptr ? dir : IWMO_FUZZ_SCHEMA_DIR);
  if (!schemas) {
    std::fprintf(stderr, "%s\n", schemas.status().toString().c_str());
    std::abort();
  }
  iwmo::adapters::xml::ParseLimits limits;
  limits.max_input_bytes = 1 << 20;  // keep each run fast; the size check itself is unit-tested
  auto created = iwmo::adapters::iwmo::IwmoAdapter::create(*schemas, limits);
  if (!created) std::abort();
  adapter = created->release();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  iwmo::proto::Envelope envelope;
  adapter->validate(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz", envelope);
  // Invariants: a verdict always exists and agrees with its findings.
  if (envelope.verdict().valid() != (envelope.verdict().findings_size() == 0)) std::abort();
  if (!envelope.verdict().valid() && envelope.verdict().level() == 0) std::abort();
  return 0;
}
