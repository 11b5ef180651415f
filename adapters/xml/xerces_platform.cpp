#include "adapters/xml/xerces_platform.h"

#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/XMLException.hpp>

#include "adapters/xml/xml_text.h"

namespace iwmo::adapters::xml {

XercesPlatform::XercesPlatform() {
  try {
    xercesc::XMLPlatformUtils::Initialize();
  } catch (const xercesc::XMLException& e) {
    status_ = Status::internal("cannot initialise Xerces-C: " + toUtf8(e.getMessage()));
  }
}

XercesPlatform::~XercesPlatform() {
  if (status_.isOk()) xercesc::XMLPlatformUtils::Terminate();
}

}  // namespace iwmo::adapters::xml
