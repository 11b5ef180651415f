// foreignRelease (adapters/iwmo/message_types.h): a namespace of another iStandaard or release is
// named; ours, with an unknown message name, is not called another release.
#include "adapters/iwmo/message_types.h"

#include <catch2/catch.hpp>

using iwmo::adapters::iwmo::foreignRelease;

TEST_CASE("foreignRelease names other iStandaarden and releases, and nothing of ours", "[iwmo]") {
  CHECK(foreignRelease("http://www.istandaarden.nl/ijw/3_2/jw301/schema") == "iJw 3.2");
  CHECK(foreignRelease("http://www.istandaarden.nl/iwmo/2_3/wmo301/schema") == "iWmo 2.3");
  CHECK(foreignRelease("http://www.istandaarden.nl/ieb/1_0/wmo405/schema") == "iEb 1.0");
  CHECK(foreignRelease("http://www.istandaarden.nl/iwlz/2_4/az01/schema") == "iWlz 2.4");
  CHECK(foreignRelease("http://www.istandaarden.nl/ixyz/1_1/x/schema") == "ixyz 1.1");
  CHECK(foreignRelease("http://www.egem.nl/StUF/StUF0301") == "StUF-GGk");
  // Ours: a known type, the basisschema, or a message name we do not know (a typo).
  CHECK_FALSE(foreignRelease("http://www.istandaarden.nl/iwmo/3_2/wmo301/schema"));
  CHECK_FALSE(foreignRelease("http://www.istandaarden.nl/iwmo/3_2/basisschema/schema"));
  CHECK_FALSE(foreignRelease("http://www.istandaarden.nl/iwmo/3_2/wmo3O5/schema"));
  CHECK_FALSE(foreignRelease("http://www.istandaarden.nl/ieb/4_0/wmo499/schema"));
  // Not an iStandaard's namespace at all.
  CHECK_FALSE(foreignRelease("urn:example"));
  CHECK_FALSE(foreignRelease("http://www.istandaarden.nl/iwmo/"));
  CHECK_FALSE(foreignRelease("http://www.istandaarden.nl/iwmo/three/wmo301/schema"));
}
