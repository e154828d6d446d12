/**
 * How many events are due at `nowMs` for a fixed offered rate: tokens accrue continuously
 * at `ratePerSecond`, whole tokens are handed out. A late tick hands out what accrued
 * while it was late (up to `maxBurst`), so the offered rate over the run stays exact even
 * when the timer jitters; the cap keeps a stalled producer from firing one huge burst.
 */
export function createTokenBucket(options: { ratePerSecond: number; startMs: number; maxBurst: number }) {
  let tokens = 0;
  let lastMs = options.startMs;
  return {
    take(nowMs: number): number {
      const elapsed = Math.max(0, nowMs - lastMs);
      lastMs = nowMs;
      tokens = Math.min(options.maxBurst, tokens + (elapsed * options.ratePerSecond) / 1_000);
      const due = Math.floor(tokens);
      tokens -= due;
      return due;
    },
  };
}

/**
 * Closed-loop admission: how many more events may be produced now so that the deliveries
 * produced but not yet received stay under `maxOutstanding`. Saturation throughput is
 * then what the pipeline delivers, and every queue in it stays bounded by construction.
 */
export function admissibleEvents(input: {
  producedDeliveries: number;
  receivedDeliveries: number;
  fanOut: number;
  maxOutstanding: number;
  maxBatch: number;
}): number {
  const outstanding = input.producedDeliveries - input.receivedDeliveries;
  const room = input.maxOutstanding - outstanding;
  if (room < input.fanOut) return 0;
  return Math.min(input.maxBatch, Math.floor(room / input.fanOut));
}

/**
 * The closed loop's window: about `seconds` of what the pipeline delivered lately, within
 * [min, max]. A fixed window would hold a fixed number of messages in the queues, so a
 * slow pipeline would carry many seconds of lag and a fast one would starve; sized by
 * the recent rate, the queues hold about `seconds` of traffic whatever the rate.
 */
export function outstandingWindow(recentDeliveriesPerSecond: number, bounds: { min: number; max: number; seconds: number }): number {
  return Math.round(Math.min(bounds.max, Math.max(bounds.min, recentDeliveriesPerSecond * bounds.seconds)));
}
