/**
 * publishProductDraft(id, idempotencyKey): exactly one store product per
 * draft (issue 16, acceptance 4), through the real gateway and the
 * BigCommerce twin over HTTP: one product created; the same key again
 * replays it; 50 concurrent calls with one key create one product; the key
 * bound to another draft is a conflict; a draft whose caption names a
 * product the store has links to it (nothing created); a create whose
 * answer was lost is found by its SKU next time, never made twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningTwin } from '../../src/sandbox/twins.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { sandboxStats, setFaults } from '../support/sandbox.js';

type Json = any;
let gw: TestGateway;
let tiktok: string;
let videos: Json[];
let nextId = 7_200_000_000_000_000_000n;

const INGEST = `mutation($u: String!) { ingestSocialLink(input: { url: $u }) { job { id } draft { id } } }`;
const PUBLISH = `mutation($id: ID!, $key: String!) { publishProductDraft(id: $id, idempotencyKey: $key) {
  draft { status product { id sku } linked } product { id sku name price { amount currency } } linked replayed } }`;

async function waitJob(id: string) {
  for (let i = 0; i < 200; i++) {
    const job = ((await gw.gql(`query($id: ID!) { syncJob(id: $id) { status error } }`, { id })).body.data as Json).syncJob;
    if (job.status !== 'QUEUED' && job.status !== 'RUNNING') return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the ingest job did not end');
}

/** A draft of a new twin video with this caption, ingested. */
async function draftOf(caption: string): Promise<string> {
  const id = (nextId++).toString();
  await fetch(`${tiktok}/__sandbox/videos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, caption }) });
  return ingestUrl(`https://www.tiktok.com/@sandbox/video/${id}`);
}

async function ingestUrl(url: string): Promise<string> {
  const { body } = await gw.gql(INGEST, { u: url });
  const job = await waitJob((body.data as Json).ingestSocialLink.job.id);
  expect(job).toMatchObject({ status: 'SUCCEEDED' });
  return (body.data as Json).ingestSocialLink.draft.id;
}

const publish = async (id: string, key: string): Promise<Json> => (await gw.gql(PUBLISH, { id, key })).body;
/** The store's products with this SKU, asked of the twin itself. */
async function storeProducts(sku: string): Promise<Json[]> {
  const res = await fetch(`${gw.bcUrl}/stores/sandbox/v3/catalog/products?include=images&sku=${encodeURIComponent(sku)}`, { headers: { 'x-auth-token': 'sandbox-token' } });
  return ((await res.json()) as Json).data;
}
const creates = async () => Object.entries((await sandboxStats(gw.bcUrl)).endpoints).filter(([k]) => k.startsWith('POST') && k.endsWith('/v3/catalog/products')).reduce((n, [, v]) => n + v, 0);

beforeAll(async () => {
  gw = await startGateway({ SOCIAL_IMAGE_SIZES: '64,128', INTERACTIVE_DEADLINE_MS: '3000', RETRY_DELAY_SCALE: '0.01' }, { parts: 500, tiktok: { videos: 60 } });
  tiktok = runningTwin(gw.sandbox, 'tiktok')!.url;
  videos = ((await (await fetch(`${tiktok}/__sandbox/videos?limit=60`)).json()) as Json).videos;
}, 60_000);
afterAll(async () => gw?.close());

describe('publishProductDraft', () => {
  it('creates one store product with the draft’s title, price and image; the same key again replays it', async () => {
    const id = await draftOf('Custom chrome exhaust stack kit, only $149.99 🔥 shop now #chrome');
    const before = await creates();
    const first = await publish(id, 'publish-1');
    expect(first.errors).toBeUndefined();
    const p = first.data.publishProductDraft;
    expect(p).toMatchObject({ linked: false, replayed: false, draft: { status: 'PUBLISHED', linked: false }, product: { price: { amount: '149.99', currency: 'USD' } } });
    expect(p.product.sku).toMatch(/^TT-72\d{17}$/);
    expect(p.draft.product.id).toBe(p.product.id);
    const inStore = await storeProducts(p.product.sku);
    expect(inStore).toHaveLength(1);
    expect(JSON.stringify(inStore[0].images ?? [])).toMatch(/\/media\/[0-9a-f]{64}\.jpg"/);
    const again = await publish(id, 'publish-1');
    expect(again.data.publishProductDraft).toMatchObject({ replayed: true, product: { id: p.product.id } });
    expect(await creates()).toBe(before + 1);
    // The key is bound to this draft: for another one it is a conflict, and nothing is created.
    const other = await draftOf('Another custom part $5 #x');
    const reused = await publish(other, 'publish-1');
    expect(reused.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', reason: 'KEY_REUSED' });
    expect(await creates()).toBe(before + 1);
  });

  it('creates one product for 50 concurrent calls with one key, and every call answers with it', async () => {
    const id = await draftOf('Custom LED light bar $89.00 link in bio #lights');
    const before = await creates();
    const answers = await Promise.all(Array.from({ length: 50 }, () => publish(id, 'burst-key')));
    for (const a of answers) expect(a.errors, JSON.stringify(a.errors)).toBeUndefined();
    const ids = new Set(answers.map((a) => a.data.publishProductDraft.product.id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => !a.data.publishProductDraft.replayed)).toHaveLength(1);
    expect(await creates()).toBe(before + 1);
    expect(await storeProducts(answers[0].data.publishProductDraft.product.sku)).toHaveLength(1);
  });

  it('links a draft whose caption names a product the store already has, creating nothing', async () => {
    const before = await creates();
    let linked: Json | undefined;
    for (const v of videos.filter((x: Json) => x.part && /\b[A-Z]{2}-\d{7}\b/.test(x.caption)).slice(0, 25)) {
      const id = await ingestUrl(v.url);
      const draft = ((await gw.gql(`query($id: ID!) { productDraft(id: $id) { matches { product { id sku } } } }`, { id })).body.data as Json).productDraft;
      if (!draft.matches[0]?.product) continue;
      const res = await publish(id, `link-${v.id}`);
      expect(res.errors).toBeUndefined();
      linked = { expected: draft.matches[0].product, got: res.data.publishProductDraft };
      break;
    }
    expect(linked, 'a sandbox video whose part the seeded store sells').toBeDefined();
    expect(linked!.got).toMatchObject({ linked: true, replayed: false, product: { id: linked!.expected.id, sku: linked!.expected.sku }, draft: { status: 'PUBLISHED', linked: true } });
    expect(await creates()).toBe(before);
  });

  it('adopts a product an earlier attempt created (found by its SKU) instead of creating it again; a timed-out attempt frees the draft', async () => {
    const id = await draftOf('Custom mud flaps $24.50 DM to order #flaps');
    const sku = `TT-${(nextId - 1n).toString()}`;
    // An attempt whose answer never came: the gateway stops waiting, says so, and frees the claim.
    await setFaults(gw.bcUrl, { latencyMs: 4_000, match: { methods: ['POST'], path: '/v3/catalog/products$' } });
    try {
      const lost = await publish(id, 'lost-answer');
      expect(lost.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    } finally {
      await setFaults(gw.bcUrl, {});
    }
    // An earlier attempt that did land (its answer lost): the store has the draft's SKU.
    const landed = await fetch(`${gw.bcUrl}/stores/sandbox/v3/catalog/products`, {
      method: 'POST',
      headers: { 'x-auth-token': 'sandbox-token', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Custom mud flaps', type: 'physical', sku, price: 24.5, weight: 0 }),
    });
    expect(landed.status).toBe(200);
    const before = await creates();
    const retried = await publish(id, 'lost-answer');
    expect(retried.errors).toBeUndefined();
    expect(retried.data.publishProductDraft).toMatchObject({ replayed: false, linked: false, product: { sku } });
    expect(await storeProducts(sku)).toHaveLength(1);
    expect(await creates()).toBe(before);
  });

  it('refuses to publish a draft without a price in the store’s currency, or a discarded one, and edits it first', async () => {
    const id = await draftOf('Custom seat cover 19,99 € #seat');
    const refused = await publish(id, 'eur');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CURRENCY' });
    const UPDATE = `mutation($input: UpdateProductDraftInput!) { updateProductDraft(input: $input) { status title price { amount currency } tags } }`;
    const edited = await gw.gql(UPDATE, { input: { id, title: 'Seat cover', price: { amount: '21.5', currency: 'USD' }, tags: ['#Seats', 'covers'] } });
    expect((edited.body.data as Json).updateProductDraft).toEqual({ status: 'DRAFT', title: 'Seat cover', price: { amount: '21.50', currency: 'USD' }, tags: ['seats', 'covers'] });
    await gw.gql(UPDATE, { input: { id, status: 'DISCARDED' } });
    expect((await publish(id, 'eur')).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'DISCARDED' });
    await gw.gql(UPDATE, { input: { id, status: 'DRAFT' } });
    const ok = await publish(id, 'eur');
    expect(ok.data.publishProductDraft).toMatchObject({ product: { name: 'Seat cover', price: { amount: '21.50' } } });
    const late = await gw.gql(UPDATE, { input: { id, title: 'Too late' } });
    expect(late.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'PUBLISHED' });
  });
});
