// Test runner: Catch2's session inside one XercesPlatform, which every adapters/xml object needs.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <iostream>

#include "adapters/xml/xerces_platform.h"
#include "support/test_support.h"

int main(int argc, char** argv) {
  iwmo::adapters::xml::XercesPlatform xerces;
  if (!xerces.status().isOk()) {
    std::cerr << xerces.status().toString() << "\n";
    return 2;
  }
  const int result = Catch::Session().run(argc, argv);
  iwmo::test::releaseCaches();  // before ~XercesPlatform terminates Xerces
  return result;
}
