/**
 * The product-draft store's contract (src/social/sqlDraftStore.ts, migration
 * 6) on both engines, a fresh SQLite file and a real PostgreSQL: one draft
 * per video under 20 concurrent creates, one publication claim of 10
 * concurrent claimants, a claim taken over only once its lease ended and
 * then not finished by its first holder, compare-and-set edits, one
 * ingestion write, and a publish key bound to one draft.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DraftStore } from '../../src/social/draftStore.js';
import { createSqlDraftStore } from '../../src/social/sqlDraftStore.js';
import type { IngestedFields } from '../../src/social/types.js';
import { engineAvailable, RECORD_ENGINES, recordEngines } from '../support/recordEngines.js';

const engines = recordEngines();
afterAll(() => engines.close());

const fields: IngestedFields = {
  author: 'sandbox',
  authorUrl: null,
  caption: 'c',
  title: 'Title',
  description: 'd',
  price: { amount: '19.99', currency: 'USD' },
  tags: ['a'],
  category: null,
  images: [{ size: 64, width: 64, height: 64, format: 'jpeg', key: `${'a'.repeat(64)}.jpg`, bytes: 10 }],
  matches: [{ kind: 'PART_NUMBER', partId: '1', partNumber: 'BX-1', productId: null, matchedText: 'BX-1', confidence: 0.95 }],
  analysis: { prices: [], price: null, hashtags: [], mentions: [], callsToAction: [], sentiment: 0, partNumbers: [], namePhrases: [], plainText: '' },
};
const iso = (ms: number) => new Date(ms).toISOString();

for (const name of RECORD_ENGINES) {
  describe.skipIf(!engineAvailable(name))(`${name} draft store`, () => {
    let s: DraftStore;
    beforeAll(async () => {
      s = createSqlDraftStore(await engines.fresh(name));
    }, 60_000);

    it('creates one draft per video however many ask at once', async () => {
      const all = await Promise.all(Array.from({ length: 20 }, () => s.createOrGet({ platform: 'TIKTOK', videoId: '7000000000000000001', sourceUrl: 'https://www.tiktok.com/@sandbox/video/7000000000000000001' })));
      expect(all.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(all.map((r) => r.draft.id)).size).toBe(1);
      expect(all[0]!.draft).toMatchObject({ status: 'DRAFT', tags: [], images: [], matches: [], ingestedAt: null, version: 0 });
      expect((await s.list({ status: ['DRAFT'] }, 0, 10)).total).toBe(1);
    });

    it('writes an ingestion once, and lets one of 10 concurrent claimants publish', async () => {
      const { draft } = await s.createOrGet({ platform: 'TIKTOK', videoId: '7000000000000000002', sourceUrl: 'u' });
      expect((await s.saveIngest(draft.id, fields)).applied).toBe(true);
      expect((await s.saveIngest(draft.id, { ...fields, title: 'Other' })).applied).toBe(false);
      const now = Date.now();
      const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => s.claimPublish(draft.id, `t${i}`, iso(now + 60_000), iso(now))));
      const won = claims.filter((c) => c.applied);
      expect(won).toHaveLength(1);
      const token = won[0]!.draft.publishToken!;
      expect((await s.finishPublish(draft.id, 'not-the-token', { storeProductId: '9', linked: false })).applied).toBe(false);
      const done = await s.finishPublish(draft.id, token, { storeProductId: '42', linked: false });
      expect(done).toMatchObject({ applied: true, draft: { status: 'PUBLISHED', storeProductId: '42', publishToken: null, publishAttempts: 1, title: 'Title' } });
      expect((await s.claimPublish(draft.id, 'late', iso(now + 60_000), iso(now))).applied).toBe(false);
    });

    it('lets a claim be taken over once its lease ended; the first holder then finishes nothing', async () => {
      const { draft } = await s.createOrGet({ platform: 'TIKTOK', videoId: '7000000000000000003', sourceUrl: 'u' });
      const t0 = Date.now();
      expect((await s.claimPublish(draft.id, 'first', iso(t0 + 1_000), iso(t0))).applied).toBe(true);
      expect((await s.claimPublish(draft.id, 'early', iso(t0 + 1_500), iso(t0 + 500))).applied).toBe(false);
      const taken = await s.claimPublish(draft.id, 'second', iso(t0 + 61_000), iso(t0 + 2_000));
      expect(taken).toMatchObject({ applied: true, draft: { publishToken: 'second', publishAttempts: 2 } });
      expect((await s.finishPublish(draft.id, 'first', { storeProductId: '1', linked: false })).applied).toBe(false);
      await s.releasePublish(draft.id, 'first', 'late');
      expect((await s.get(draft.id))?.publishToken).toBe('second');
      await s.releasePublish(draft.id, 'second', 'the store refused it');
      expect(await s.get(draft.id)).toMatchObject({ publishToken: null, publishUntil: null, lastError: 'the store refused it', status: 'DRAFT' });
    });

    it('applies one of two edits made on the same version, and none to a draft being published', async () => {
      const { draft } = await s.createOrGet({ platform: 'TIKTOK', videoId: '7000000000000000004', sourceUrl: 'u' });
      const [a, b] = await Promise.all([s.update(draft.id, 0, { title: 'A' }), s.update(draft.id, 0, { title: 'B' })]);
      expect([a.applied, b.applied].sort()).toEqual([false, true]);
      const after = await s.get(draft.id);
      expect(after?.version).toBe(1);
      expect(['A', 'B']).toContain(after?.title);
      expect((await s.update(draft.id, 1, { price: { amount: '5.00', currency: 'EUR' }, status: 'DISCARDED', tags: ['x', 'y'] })).draft).toMatchObject({ price: { amount: '5.00', currency: 'EUR' }, status: 'DISCARDED', tags: ['x', 'y'], version: 2 });
      await s.update(draft.id, 2, { status: 'DRAFT' });
      await s.claimPublish(draft.id, 'p', iso(Date.now() + 60_000), iso(Date.now()));
      expect((await s.update(draft.id, 3, { title: 'C' })).applied).toBe(false);
    });

    it('binds a publish key to one draft: the same key for another draft is told which', async () => {
      const a = (await s.createOrGet({ platform: 'TIKTOK', videoId: '7000000000000000005', sourceUrl: 'u' })).draft;
      const b = (await s.createOrGet({ platform: 'TIKTOK', videoId: '7000000000000000006', sourceUrl: 'u' })).draft;
      const binds = await Promise.all(Array.from({ length: 10 }, () => s.bindKey('ops', 'key-1', a.id)));
      expect(binds.every((x) => x.kind === 'bound')).toBe(true);
      expect(await s.bindKey('ops', 'key-1', b.id)).toEqual({ kind: 'otherDraft', draftId: a.id });
      expect(await s.bindKey('other-client', 'key-1', b.id)).toEqual({ kind: 'bound' });
    });
  });
}
