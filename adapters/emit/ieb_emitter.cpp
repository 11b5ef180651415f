#include "adapters/emit/ieb_emitter.h"

#include "adapters/emit/findings_text.h"
#include "adapters/ieb/eb001.h"
#include "adapters/ieb/ieb_writer.h"
#include "adapters/iwmo/iwmo_adapter.h"
#include "gateway/base/date.h"
#include "gateway/base/object_pool.h"

namespace iwmo::adapters::emit {

handlers::IebWriteFunction makeIebWriter(std::shared_ptr<const xml::SchemaSet> schemas,
                                         xml::ParseLimits limits, BsnPseudonymiser pseudonymise) {
  auto validators = std::make_shared<ObjectPool<adapters::iwmo::IwmoAdapter>>(
      [schemas = std::move(schemas), limits, pseudonymise = std::move(pseudonymise)] {
        return adapters::iwmo::IwmoAdapter::create(schemas, limits, pseudonymise);
      });
  return [validators](const handlers::IebMessage& message) -> Result<std::string> {
    const auto dagtekening = Date::parse(message.dagtekening);
    if (!dagtekening) return Status::invalid("Dagtekening '" + message.dagtekening + "' is not a date");
    std::string xml = ieb::writeHeen(message.message_type,
                                     {message.afzender, message.identificatie, *dagtekening}, message.records);
    auto adapter = validators->acquire();
    if (!adapter) return adapter.status();
    proto::Envelope envelope;
    (*adapter)->validate(xml, message.message_type + " " + message.identificatie, envelope);
    if (!envelope.verdict().valid()) return Status::internal(findingsText(envelope.verdict()));
    return xml;
  };
}

handlers::Eb001DescribeFunction eb001Describer() {
  return [](const std::string& code) { return ieb::describeEb001(code); };
}

}  // namespace iwmo::adapters::emit
