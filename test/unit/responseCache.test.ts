/**
 * The whole-response cache's admission (src/cache/responseCache.ts): an
 * answer is kept the second time its key is asked for, so keys asked for
 * once (distinct variable sets) never take an entry, and a popular key still
 * gets one.
 */
import { describe, expect, it } from 'vitest';
import { createResponseCache, type CachedResponse } from '../../src/cache/responseCache.js';

const answer = (text: string): CachedResponse => ({ status: 200, headers: {}, body: Buffer.from(text) });

/** What the handler does after executing: keep the answer if the cache admits it. */
function answered(cache: ReturnType<typeof createResponseCache>, key: string): boolean {
  if (!cache.admit(key)) return false;
  cache.set(key, answer(key), 60_000, cache.generation);
  return true;
}

describe('response cache admission', () => {
  it('keeps an answer on its key\'s second ask, and hits from then on', () => {
    const cache = createResponseCache({ maxEntries: 100 });
    expect(answered(cache, 'q1')).toBe(false);
    expect(cache.get('q1')).toBeUndefined();
    expect(answered(cache, 'q1')).toBe(true);
    expect(cache.get('q1')?.body.toString()).toBe('q1');
    expect(cache.size).toBe(1);
  });

  it('never stores keys asked for once, however many, and they evict nothing', () => {
    const cache = createResponseCache({ maxEntries: 10 });
    answered(cache, 'popular');
    answered(cache, 'popular');
    for (let i = 0; i < 1000; i++) expect(answered(cache, `once-${i}`)).toBe(false);
    expect(cache.size).toBe(1);
    expect(cache.get('popular')).toBeDefined();
  });

  it('forgets first asks past twice its bound, so an old first ask counts as new', () => {
    const cache = createResponseCache({ maxEntries: 5 });
    answered(cache, 'early');
    // Ten more first asks fill the doorkeeper (2 × 5); the next one starts it over.
    for (let i = 0; i < 10; i++) answered(cache, `k-${i}`);
    expect(answered(cache, 'early')).toBe(false);
    expect(answered(cache, 'early')).toBe(true);
  });

  it('keeps what it learnt across a clear (popularity is not data), and stores nothing computed before one', () => {
    const cache = createResponseCache({ maxEntries: 100 });
    expect(cache.admit('q')).toBe(false);
    const before = cache.generation;
    cache.clear();
    expect(cache.admit('q')).toBe(true);
    cache.set('q', answer('old'), 60_000, before);
    expect(cache.get('q')).toBeUndefined();
  });

  it('admits every answer when asked to (RESPONSE_CACHE_ADMIT=first-ask)', () => {
    const cache = createResponseCache({ maxEntries: 100, admitOnSecondAsk: false });
    expect(answered(cache, 'q')).toBe(true);
    expect(cache.get('q')).toBeDefined();
  });
});
