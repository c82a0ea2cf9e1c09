/**
 * Durable product drafts on the record layer (sqlDraftStore.ts: SQLite
 * embedded, PostgreSQL with DATABASE_URL). Every write that decides
 * something is one compare-and-set statement: the draft's creation (one per
 * video, by its unique key), an edit (on the version read), the claim of a
 * publication (a lease with a token), its end (only by the token's holder),
 * and a publish key's binding to a draft.
 */
import type { DraftPatch, DraftStatus, IngestedFields, ProductDraftRecord, SocialPlatform } from './types.js';

export interface DraftFilter {
  status?: DraftStatus[];
  platform?: SocialPlatform;
}

export type KeyBinding = { kind: 'bound' } | { kind: 'otherDraft'; draftId: string };

export interface DraftStore {
  /** The video's draft, created when it has none (`created`); atomic across instances. */
  createOrGet(draft: { platform: SocialPlatform; videoId: string; sourceUrl: string }): Promise<{ draft: ProductDraftRecord; created: boolean }>;
  get(id: string): Promise<ProductDraftRecord | undefined>;
  list(filter: DraftFilter, offset: number, limit: number): Promise<{ items: ProductDraftRecord[]; total: number }>;
  setIngestJob(id: string, jobId: string): Promise<void>;
  /** Writes what the ingest found, once: only a draft not ingested yet and not published. */
  saveIngest(id: string, fields: IngestedFields): Promise<{ applied: boolean; draft: ProductDraftRecord }>;
  /** An operator's edit, if the draft is still at `version` and editable. */
  update(id: string, version: number, patch: DraftPatch): Promise<{ applied: boolean; draft: ProductDraftRecord }>;
  /** Claims the draft's publication: a DRAFT with no live claim; counts the attempt. */
  claimPublish(id: string, token: string, until: string, now: string): Promise<{ applied: boolean; draft: ProductDraftRecord }>;
  /** Ends the claim `token` holds as PUBLISHED; false when it no longer holds it. */
  finishPublish(id: string, token: string, result: { storeProductId: string; linked: boolean }): Promise<{ applied: boolean; draft: ProductDraftRecord }>;
  /** Gives the claim up (the attempt failed with nothing created), recording why. */
  releasePublish(id: string, token: string, error: string): Promise<void>;
  /** Binds a client's publish key to a draft, or says which draft it is bound to already. */
  bindKey(client: string, key: string, draftId: string): Promise<KeyBinding>;
}
