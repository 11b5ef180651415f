#include "gateway/base/latency_histogram.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace iwmo {
namespace {

double exactPercentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::max<std::size_t>(rank, 1) - 1];
}

TEST_CASE("latency histogram: percentiles within 2 % of the exact nearest rank", "[base]") {
  std::mt19937 random(7);
  std::lognormal_distribution<double> latency(std::log(50.0), 1.0);  // median 50 ms, long tail
  std::vector<double> samples;
  LatencyHistogram histogram;
  for (int i = 0; i < 100000; ++i) {
    samples.push_back(latency(random));
    histogram.record(samples.back());
  }
  REQUIRE(histogram.count() == 100000);
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
    const double exact = exactPercentile(samples, p);
    const double reported = histogram.percentileMs(p);
    INFO("p" << p << " exact " << exact << " reported " << reported);
    CHECK(reported >= exact);
    CHECK(reported <= exact * 1.02 + 1e-9);
  }
}

TEST_CASE("latency histogram: empty, tiny and huge samples", "[base]") {
  LatencyHistogram histogram;
  CHECK(histogram.percentileMs(99) == 0);
  histogram.record(0.0);
  histogram.record(0.0005);  // 0.5 µs: below the first bound
  CHECK(histogram.percentileMs(100) == Approx(0.001));
  histogram.record(1e9);  // 11 days: clamped into the last bucket, still counted
  CHECK(histogram.count() == 3);
  CHECK(histogram.percentileMs(100) > 1e6);
}

}  // namespace
}  // namespace iwmo
