/**
 * The entity cache's cross-request batching (entityCache.ts): a process-wide
 * DataLoader with no memo that only gathers keys across callers into one
 * batch call. At most `maxConcurrent` batches run at once; while they do
 * (waiting for quota or for the vendor), new keys keep joining the next
 * batch, so a burst of reads under a tight quota becomes a few large calls
 * instead of many small ones.
 */
import DataLoader from 'dataloader';

export interface FetchBatcherOptions {
  /** Batches running at once. */
  maxConcurrent: number;
  /** Keys a batch holds at most. */
  maxBatch: number;
  /** Milliseconds a batch waits for more keys before it runs. */
  windowMs: number;
}

/** `batch`: the values (or an Error each) for the keys, in their order; a key may be queued twice. */
export function createFetchBatcher<V>(batch: (keys: readonly string[]) => Promise<Array<V | Error>>, options: FetchBatcherOptions): DataLoader<string, V> {
  let active = 0;
  const parked: Array<() => void> = [];
  const release = () => {
    active--;
    const next = parked.shift();
    if (next) setTimeout(next, 0);
  };
  return new DataLoader<string, V>(
    async (keys) => {
      try {
        return await batch(keys);
      } finally {
        release();
      }
    },
    {
      cache: false,
      maxBatchSize: options.maxBatch,
      batchScheduleFn: (dispatch) => {
        const run = () => {
          active++;
          dispatch();
        };
        if (active < options.maxConcurrent) setTimeout(run, options.windowMs);
        else parked.push(run);
      },
    },
  );
}
