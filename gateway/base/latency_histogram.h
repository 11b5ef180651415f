// LatencyHistogram: percentiles of a stream of durations in fixed memory. Buckets grow
// geometrically by 2 %, from 1 µs to about 17 minutes (anything longer lands in the last
// bucket), so a percentile is reported within 2 % of the exact value however many samples were
// recorded — a replay of a million messages costs the same 9 KB as one of ten.
// Thread-safety: none; callers serialise.
#ifndef IWMO_GATEWAY_BASE_LATENCY_HISTOGRAM_H_
#define IWMO_GATEWAY_BASE_LATENCY_HISTOGRAM_H_

#include <array>
#include <cstdint>

namespace iwmo {

class LatencyHistogram {
 public:
  void record(double milliseconds);
  std::uint64_t count() const { return count_; }
  // The smallest bucket bound b such that at least p % of the samples are ≤ b (0 when empty),
  // in milliseconds. Within 2 % above the exact nearest-rank percentile.
  double percentileMs(double p) const;

 private:
  static constexpr std::size_t kBuckets = 1050;  // 1.02^1050 µs ≈ 1.1e9 µs
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
};

}  // namespace iwmo

#endif  // IWMO_GATEWAY_BASE_LATENCY_HISTOGRAM_H_
