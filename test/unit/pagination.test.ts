/**
 * fetchWindow over a page/per API (src/graphql/pagination.ts). The fake
 * vendor below answers like BigCommerce v2 orders: no total, so a full page
 * says "maybe more" and only a short page tells where the list ends.
 */
import { describe, expect, it } from 'vitest';
import { fetchWindow } from '../../src/graphql/pagination.js';

/** A list of `size` items behind a page/per API; a full page reports an open-ended total. */
function v2Like(size: number) {
  const calls: Array<[number, number]> = [];
  return {
    calls,
    async fetchPage(page: number, per: number) {
      calls.push([page, per]);
      const items = Array.from({ length: size }, (_, i) => i).slice((page - 1) * per, page * per);
      return { items, total: items.length === per ? Number.MAX_SAFE_INTEGER : (page - 1) * per + items.length };
    },
  };
}

describe('fetchWindow', () => {
  it('takes the total from the last page it read when the window straddles two pages', async () => {
    // 50 items, window [35, 55): page 2 of 20 is full ("maybe more"), page 3 holds the last 10.
    const api = v2Like(50);
    const page = await fetchWindow(35, 20, api.fetchPage);
    expect(api.calls).toEqual([
      [2, 20],
      [3, 20],
    ]);
    expect(page.items).toEqual(Array.from({ length: 15 }, (_, i) => 35 + i));
    // What the connection's hasNextPage is computed from: nothing lies past item 49.
    expect(page.total).toBe(50);
    expect(35 + page.items.length < page.total).toBe(false);
  });

  it('keeps the total of an aligned window read in one call', async () => {
    const api = v2Like(30);
    const page = await fetchWindow(20, 20, api.fetchPage);
    expect(api.calls).toEqual([[2, 20]]);
    expect(page).toEqual({ items: Array.from({ length: 10 }, (_, i) => 20 + i), total: 30 });
  });

  it('uses the later answer when the list shrank between the two calls', async () => {
    // Page 1 says 40, then 15 items go away before page 2 is read.
    let reads = 0;
    const page = await fetchWindow(10, 20, async (p, per) => {
      reads++;
      const size = reads === 1 ? 40 : 25;
      const items = Array.from({ length: size }, (_, i) => i).slice((p - 1) * per, p * per);
      return { items, total: size };
    });
    expect(page.items).toEqual(Array.from({ length: 15 }, (_, i) => 10 + i));
    expect(page.total).toBe(25);
  });
});
