// XercesPlatform: owns Xerces-C's process-wide initialisation (XMLPlatformUtils::Initialize /
// Terminate). Create exactly one, in main() (or a test's main), before any other adapters/xml
// object, and let it outlive them all. Not copyable or movable.
#pragma once

#include "gateway/base/status.h"

namespace iwmo::adapters::xml {

class XercesPlatform {
 public:
  XercesPlatform();
  ~XercesPlatform();
  XercesPlatform(const XercesPlatform&) = delete;
  XercesPlatform& operator=(const XercesPlatform&) = delete;

  // OK when Xerces initialised; the error names Xerces' own message otherwise.
  const Status& status() const { return status_; }

 private:
  Status status_;
};

}  // namespace iwmo::adapters::xml
