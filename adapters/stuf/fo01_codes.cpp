#include "adapters/stuf/fo01_codes.h"

namespace iwmo::adapters::stuf {

const Fo01CodeInfo& fo01CodeInfo(Fo01Code code) {
  static constexpr Fo01CodeInfo kStUF055{"StUF055",
                                         "Berichtbody is niet conform schema in sectormodel",
                                         "client"};
  switch (code) {
    case Fo01Code::StUF055:
      break;
  }
  return kStUF055;
}

}  // namespace iwmo::adapters::stuf
