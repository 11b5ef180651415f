#include "gateway/base/latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace iwmo {
namespace {

constexpr double kGrowth = 1.02;

// Bucket i holds samples in (kGrowth^(i-1), kGrowth^i] µs; bucket 0 holds everything ≤ 1 µs.
double upperBoundMicros(std::size_t bucket) { return std::pow(kGrowth, static_cast<double>(bucket)); }

}  // namespace

void LatencyHistogram::record(double milliseconds) {
  const double micros = milliseconds * 1000.0;
  std::size_t bucket = 0;
  if (micros > 1.0) {
    bucket = static_cast<std::size_t>(std::ceil(std::log(micros) / std::log(kGrowth)));
    // Guard against rounding at an exact bound.
    while (bucket > 0 && upperBoundMicros(bucket - 1) >= micros) --bucket;
  }
  ++counts_[std::min(bucket, kBuckets - 1)];
  ++count_;
}

double LatencyHistogram::percentileMs(double p) const {
  if (count_ == 0) return 0;
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < kBuckets; ++bucket) {
    seen += counts_[bucket];
    if (seen >= rank) return upperBoundMicros(bucket) / 1000.0;
  }
  return upperBoundMicros(kBuckets - 1) / 1000.0;
}

}  // namespace iwmo
