// StUF Tijdstip (tijdstipBericht): yyyyMMddHHmmss[SSS], 8 to 17 digits, no time zone
// ([XSD] stuf0301.xsd simpleType Tijdstip). The library never reads a clock: the caller passes the
// moment and the UTC offset it wants written. Our reading (ggk-transport.md gives no zone): the
// chain's examples are Dutch local times, so the daemon passes the Europe/Amsterdam offset.
// Thread-safety: pure function.
#pragma once

#include <string>

#include "gateway/base/clock.h"

namespace iwmo::adapters::stuf {

// 17 digits, milliseconds included: `moment` shifted by `utc_offset_minutes`.
// REQUIRES: the shifted moment lies in years 0001..9999.
std::string formatTijdstip(Timestamp moment, int utc_offset_minutes);

// The Europe/Amsterdam offset from UTC at `moment`: +60 (CET), or +120 (CEST) from the last
// Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC (EU rule since 1996).
// Computed, not read from the machine's time zone, so the daemon writes Dutch time anywhere.
int amsterdamUtcOffsetMinutes(Timestamp moment);

}  // namespace iwmo::adapters::stuf
