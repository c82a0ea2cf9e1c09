/**
 * A quantile from histogram buckets, computed as Prometheus's
 * `histogram_quantile` computes it (promql/quantile.go, bucketQuantile):
 * find the first bucket whose cumulative count reaches `q × total`, and
 * interpolate linearly inside it (from 0 for the first bucket). A rank in the
 * +Inf bucket answers the largest finite bound. The gateway's own latency
 * figures and alert rules use this, so they agree with what
 * deploy/prometheus/alerts.yml computes from the same histogram.
 */

/**
 * `upperBounds`: the finite bucket bounds, ascending; `cumulative[i]`: the
 * observations ≤ `upperBounds[i]`; `total`: all observations (the +Inf
 * bucket). Null when there are none.
 */
export function histogramQuantile(q: number, upperBounds: readonly number[], cumulative: readonly number[], total: number): number | null {
  if (!(total > 0) || upperBounds.length === 0) return null;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const rank = q * total;
  // Counts made from window sums may dip by float error: Prometheus's ensureMonotonic, the same here.
  let previous = 0;
  for (let i = 0; i < upperBounds.length; i++) {
    const count = Math.max(previous, cumulative[i] ?? previous);
    if (count >= rank) {
      const start = i === 0 ? 0 : (upperBounds[i - 1] as number);
      const end = upperBounds[i] as number;
      const inBucket = count - previous;
      if (i === 0 && end <= 0) return end;
      return inBucket > 0 ? start + (end - start) * ((rank - previous) / inBucket) : end;
    }
    previous = count;
  }
  // The rank lies in the +Inf bucket: the best answer is the largest finite bound.
  return upperBounds[upperBounds.length - 1] as number;
}
