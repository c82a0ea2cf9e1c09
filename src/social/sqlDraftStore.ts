/**
 * DraftStore on the record layer (src/records/): one implementation for
 * SQLite and PostgreSQL, the tables of migration 6. Each decision is one
 * statement that reads and writes together — `INSERT … ON CONFLICT DO
 * NOTHING` on the unique key, or `UPDATE … WHERE id = ? AND <the state
 * expected> RETURNING *` — so of concurrent writers on any number of
 * instances exactly one wins and the others see what it left.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Selectable, type Updateable } from 'kysely';
import { decodeFlag, decodeJson, encodeFlag, encodeJson } from '../records/engine.js';
import type { RecordDatabase } from '../records/recordDatabase.js';
import type { SocialDraftsTable } from '../records/tables.js';
import type { DraftStore } from './draftStore.js';
import type { DraftStatus, ProductDraftRecord, SocialPlatform } from './types.js';

function toDraft(r: Selectable<SocialDraftsTable>): ProductDraftRecord {
  return {
    id: r.id,
    platform: r.platform as SocialPlatform,
    videoId: r.video_id,
    sourceUrl: r.source_url,
    author: r.author,
    authorUrl: r.author_url,
    caption: r.caption,
    title: r.title,
    description: r.description,
    price: r.price_amount !== null && r.price_currency !== null ? { amount: r.price_amount, currency: r.price_currency } : null,
    tags: decodeJson(r.tags),
    category: r.category,
    images: decodeJson(r.images),
    matches: decodeJson(r.matches),
    analysis: r.analysis ? decodeJson(r.analysis) : null,
    status: r.status as DraftStatus,
    ingestJobId: r.ingest_job_id,
    ingestedAt: r.ingested_at,
    storeProductId: r.store_product_id,
    linked: decodeFlag(r.linked),
    publishedAt: r.published_at,
    publishToken: r.publish_token,
    publishUntil: r.publish_until,
    publishAttempts: Number(r.publish_attempts),
    lastError: r.last_error,
    version: Number(r.version),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function createSqlDraftStore(records: RecordDatabase): DraftStore {
  const { db, engine } = records;
  const now = () => new Date().toISOString();
  const mustGet = async (id: string) => {
    const row = await db.selectFrom('social_drafts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new Error(`no product draft ${id}`);
    return toDraft(row);
  };
  /** The CAS outcome: the updated row, or the draft as another writer left it. */
  const outcome = async (id: string, row: Selectable<SocialDraftsTable> | undefined) => (row ? { applied: true, draft: toDraft(row) } : { applied: false, draft: await mustGet(id) });

  return {
    async createOrGet({ platform, videoId, sourceUrl }) {
      const at = now();
      const inserted = await db
        .insertInto('social_drafts')
        .values({
          id: randomUUID(),
          // SQLite serialises writers, so max + 1 in the insert is atomic; PostgreSQL's is an identity.
          seq: engine === 'postgres' ? sql<number>`default` : sql<number>`(select coalesce(max(seq), 0) + 1 from social_drafts)`,
          platform,
          video_id: videoId,
          source_url: sourceUrl,
          tags: '[]',
          images: '[]',
          matches: '[]',
          status: 'DRAFT',
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) => oc.columns(['platform', 'video_id']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { draft: toDraft(inserted), created: true };
      const existing = await db.selectFrom('social_drafts').selectAll().where('platform', '=', platform).where('video_id', '=', videoId).executeTakeFirstOrThrow();
      return { draft: toDraft(existing), created: false };
    },
    async get(id) {
      const row = await db.selectFrom('social_drafts').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toDraft(row) : undefined;
    },
    async list(filter, offset, limit) {
      let where = db.selectFrom('social_drafts');
      if (filter.status?.length) where = where.where('status', 'in', filter.status);
      if (filter.platform) where = where.where('platform', '=', filter.platform);
      const [rows, total] = await Promise.all([
        where.selectAll().orderBy('seq', 'desc').limit(limit).offset(offset).execute(),
        where.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
      ]);
      return { items: rows.map(toDraft), total: Number(total?.n ?? 0) };
    },
    async setIngestJob(id, jobId) {
      await db.updateTable('social_drafts').set({ ingest_job_id: jobId, updated_at: now() }).where('id', '=', id).execute();
    },
    async saveIngest(id, f) {
      const row = await db
        .updateTable('social_drafts')
        .set({
          author: f.author,
          author_url: f.authorUrl,
          caption: f.caption,
          title: f.title,
          description: f.description,
          price_amount: f.price?.amount ?? null,
          price_currency: f.price?.currency ?? null,
          tags: encodeJson(f.tags),
          category: f.category,
          images: encodeJson(f.images),
          matches: encodeJson(f.matches),
          analysis: encodeJson(f.analysis),
          ingested_at: now(),
          updated_at: now(),
        })
        .where('id', '=', id)
        .where('ingested_at', 'is', null)
        .where('status', '<>', 'PUBLISHED')
        .returningAll()
        .executeTakeFirst();
      return outcome(id, row);
    },
    async update(id, version, patch) {
      const set: Updateable<SocialDraftsTable> = {};
      if (patch.title !== undefined) set.title = patch.title;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.price !== undefined) {
        set.price_amount = patch.price?.amount ?? null;
        set.price_currency = patch.price?.currency ?? null;
      }
      if (patch.tags !== undefined) set.tags = encodeJson(patch.tags);
      if (patch.category !== undefined) set.category = patch.category;
      if (patch.status !== undefined) set.status = patch.status;
      const row = await db
        .updateTable('social_drafts')
        .set((eb) => ({ ...set, version: eb('version', '+', 1), updated_at: now() }))
        .where('id', '=', id)
        .where('version', '=', version)
        .where('status', 'in', ['DRAFT', 'DISCARDED'])
        // A draft being published is not edited under its publisher.
        .where('publish_token', 'is', null)
        .returningAll()
        .executeTakeFirst();
      return outcome(id, row);
    },
    async claimPublish(id, token, until, at) {
      const row = await db
        .updateTable('social_drafts')
        .set((eb) => ({ publish_token: token, publish_until: until, publish_attempts: eb('publish_attempts', '+', 1), updated_at: now() }))
        .where('id', '=', id)
        .where('status', '=', 'DRAFT')
        .where((eb) => eb.or([eb('publish_until', 'is', null), eb('publish_until', '<=', at)]))
        .returningAll()
        .executeTakeFirst();
      return outcome(id, row);
    },
    async finishPublish(id, token, result) {
      const at = now();
      const row = await db
        .updateTable('social_drafts')
        .set({ status: 'PUBLISHED', store_product_id: result.storeProductId, linked: encodeFlag(result.linked), published_at: at, publish_token: null, publish_until: null, last_error: null, updated_at: at })
        .where('id', '=', id)
        .where('status', '=', 'DRAFT')
        .where('publish_token', '=', token)
        .returningAll()
        .executeTakeFirst();
      return outcome(id, row);
    },
    async releasePublish(id, token, error) {
      await db
        .updateTable('social_drafts')
        .set({ publish_token: null, publish_until: null, last_error: error.slice(0, 500), updated_at: now() })
        .where('id', '=', id)
        .where('publish_token', '=', token)
        .execute();
    },
    async bindKey(client, key, draftId) {
      const inserted = await db
        .insertInto('social_publish_keys')
        .values({ client, key, draft_id: draftId, created_at: now() })
        .onConflict((oc) => oc.columns(['client', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (inserted) return { kind: 'bound' };
      const row = await db.selectFrom('social_publish_keys').select('draft_id').where('client', '=', client).where('key', '=', key).executeTakeFirstOrThrow();
      return row.draft_id === draftId ? { kind: 'bound' } : { kind: 'otherDraft', draftId: row.draft_id };
    },
  };
}
