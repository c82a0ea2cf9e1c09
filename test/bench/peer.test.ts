/**
 * The throughput benchmark's peer (bench/peer/): Mesh composes the sandbox's
 * own OpenAPI documents, Hive Gateway serves the supergraph, and it answers
 * the same data the sandbox holds, with the upstream calls the issue states:
 * 2 per 20-part query with the batched link (one FinditParts multi, one
 * BigCommerce `sku:in`), 21 with the per-item link.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { stopAll } from '../../bench/lib/proc.js';
import { startPeer, type PeerProcess } from '../../bench/peer/startPeer.js';
import { differences, money, rowsFromPeer, type PartRow } from '../../bench/throughput/partAnswers.js';
import { peerBody, randomIdSets } from '../../bench/throughput/workload.js';
import { sandboxStats, startSandbox } from '../support/sandbox.js';

let sandbox: Sandbox;
let dir: string;
const peers: Partial<Record<'batched' | 'perItem', PeerProcess>> = {};

beforeAll(async () => {
  sandbox = await startSandbox({
    parts: 1000,
    finditparts: { ratePerSecond: 10_000, burst: 10_000, perMinute: 1_000_000 },
    bigcommerce: { quota: 1_000_000 },
  });
  dir = mkdtempSync(join(tmpdir(), 'crossdock-peer-test-'));
  const common = {
    fipOrigin: new URL(sandbox.finditparts.apiBase).origin,
    bcOrigin: new URL(sandbox.bigcommerce.apiBase).origin,
    storeHash: sandbox.options.bigcommerce.storeHash,
    fipApiKey: sandbox.options.finditparts.apiKey,
    bcToken: sandbox.options.bigcommerce.accessToken,
    dir,
  };
  const [batched, perItem] = await Promise.all([startPeer({ ...common, link: 'batched' }), startPeer({ ...common, link: 'perItem' })]);
  peers.batched = batched;
  peers.perItem = perItem;
}, 150_000);

afterAll(async () => {
  await stopAll();
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

/** What the sandbox itself says about these parts: FinditParts' multi, BigCommerce's products by SKU. */
async function truth(ids: string[]): Promise<PartRow[]> {
  const fip = (await (
    await fetch(`${sandbox.finditparts.apiBase}/products/${ids.join(',')}/multi`, { headers: { 'X-API-Key': sandbox.options.finditparts.apiKey } })
  ).json()) as { products: Array<{ part_number: string; preferred_variant_id: number; variants: Array<{ variant_id: number; price: string }> }> };
  const skus = fip.products.map((p) => p.part_number);
  const bc = (await (
    await fetch(`${sandbox.bigcommerce.apiBase}/v3/catalog/products?sku:in=${encodeURIComponent(skus.join(','))}&limit=250`, {
      headers: { 'X-Auth-Token': sandbox.options.bigcommerce.accessToken },
    })
  ).json()) as { data: Array<{ sku: string; price: number }> };
  const bySku = new Map(bc.data.map((p) => [p.sku, p]));
  return fip.products.map((p) => {
    const store = bySku.get(p.part_number);
    return {
      partNumber: p.part_number,
      price: money(p.variants.find((v) => v.variant_id === p.preferred_variant_id)?.price),
      storeSku: store?.sku ?? null,
      storePrice: store ? money(store.price) : null,
    };
  });
}

async function upstreamCalls(): Promise<number> {
  const [f, b] = await Promise.all([
    sandboxStats(new URL(sandbox.finditparts.apiBase).origin),
    sandboxStats(new URL(sandbox.bigcommerce.apiBase).origin),
  ]);
  return f.requests + b.requests;
}

async function ask(peer: PeerProcess, ids: string[]): Promise<{ rows: PartRow[]; calls: number }> {
  const before = await upstreamCalls();
  const res = await fetch(peer.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: peerBody(ids),
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.status).toBe(200);
  const rows = rowsFromPeer(await res.json());
  return { rows, calls: (await upstreamCalls()) - before };
}

describe('the throughput peer: Hive Gateway over a Mesh supergraph of the sandbox OpenAPI documents', () => {
  const sets = randomIdSets({ range: 1000, size: 20, seed: 7 });

  it('batched link: the sandbox data for 20 random parts, in 2 upstream calls', async () => {
    for (let i = 0; i < 3; i++) {
      const ids = sets.next();
      const expected = await truth(ids);
      // Parts with and without a store product, so the link is checked both ways.
      expect(expected.some((r) => r.storeSku !== null) && expected.some((r) => r.storeSku === null)).toBe(true);
      const { rows, calls } = await ask(peers.batched as PeerProcess, ids);
      expect(differences(expected, rows)).toEqual([]);
      expect(calls).toBe(2);
    }
  }, 30_000);

  it('per-item link: the same data, in 1 + 20 upstream calls', async () => {
    const ids = sets.next();
    const expected = await truth(ids);
    const { rows, calls } = await ask(peers.perItem as PeerProcess, ids);
    expect(differences(expected, rows)).toEqual([]);
    expect(calls).toBe(21);
  }, 30_000);
});
