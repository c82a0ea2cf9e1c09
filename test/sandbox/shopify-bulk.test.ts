/**
 * Contract tests of the Shopify simulator's bulk operations (upstreams.md,
 * "Bulk operations for backfills"): `bulkOperationRunQuery(query:)` →
 * `{bulkOperation {id status} userErrors {field message code}}`; polling
 * `currentBulkOperation` or `node(id:)` through CREATED → RUNNING →
 * COMPLETED with `objectCount`, `rootObjectCount`, `fileSize`, `url`; one
 * at a time per shop; a JSONL file of one object per line, nested nodes on
 * lines of their own with `__parentId` after their parent; the
 * `bulk_operations/finish` webhook. And the sandbox's test hooks: failures,
 * malformed lines, cut downloads.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetSandbox, sandboxStats } from '../support/sandbox.js';
import { allOrders, startReceiver, startShop, subscribe, until, type Json, type Receiver, type Shop } from './shopify-support.js';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop();
});
afterAll(async () => shop?.close());
afterEach(async () => {
  await resetSandbox(shop.url, true);
});

const RUN = `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { field message code } } }`;
const POLL = '{ currentBulkOperation { id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl query } }';
const ORDERS_AND_LINES = '{ orders { edges { node { id name updatedAt totalPriceSet { shopMoney { amount currencyCode } } customer { email } lineItems { edges { node { id sku quantity } } } } } } }';

async function run(query: string): Promise<Json> {
  await shop.refill();
  return (await shop.data(RUN, { q: query })).bulkOperationRunQuery;
}

async function finished(): Promise<Json> {
  const done = await until(
    async () => {
      await shop.refill();
      return (await shop.data(POLL)).currentBulkOperation;
    },
    (op) => ['COMPLETED', 'FAILED', 'CANCELED'].includes(op?.status),
    60_000,
  );
  return done;
}

async function lines(url: string): Promise<string[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

describe('the lifecycle', () => {
  it('goes CREATED → RUNNING → COMPLETED, counting objects as it runs, one operation at a time', async () => {
    await shop.admin('/__sandbox/bulk', { objectsPerSecond: 500 });
    const started = await run(ORDERS_AND_LINES);
    expect(started.userErrors).toEqual([]);
    expect(started.bulkOperation).toEqual({ id: expect.stringMatching(/^gid:\/\/shopify\/BulkOperation\/\d+$/), status: 'CREATED' });

    const second = await run('{ orders { nodes { id } } }');
    expect(second.bulkOperation).toBeNull();
    expect(second.userErrors).toEqual([{ field: null, message: expect.stringContaining(started.bulkOperation.id), code: 'OPERATION_IN_PROGRESS' }]);

    const seen: Json[] = [];
    const done = await until(
      async () => {
        await shop.refill();
        const op = (await shop.data(POLL)).currentBulkOperation;
        seen.push(op);
        return op;
      },
      (op) => op.status === 'COMPLETED',
      60_000,
      25,
    );
    const statuses = [...new Set(seen.map((s) => s.status))];
    expect(statuses).toEqual(['CREATED', 'RUNNING', 'COMPLETED'].filter((s) => statuses.includes(s)));
    expect(statuses).toContain('RUNNING');
    const counts = seen.map((s) => Number(s.objectCount));
    for (let k = 1; k < counts.length; k++) expect(counts[k]).toBeGreaterThanOrEqual(counts[k - 1]!);
    expect(seen.some((s) => s.status === 'RUNNING' && Number(s.objectCount) > 0 && Number(s.objectCount) < Number(done.objectCount))).toBe(true);

    expect(done).toMatchObject({ id: started.bulkOperation.id, errorCode: null, rootObjectCount: '400', partialDataUrl: null, query: ORDERS_AND_LINES });
    expect(typeof done.objectCount).toBe('string');
    expect(done.completedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const byNode = (await shop.data('query($id: ID!) { node(id: $id) { ... on BulkOperation { status objectCount url } } }', { id: done.id })).node;
    expect(byNode).toEqual({ status: 'COMPLETED', objectCount: done.objectCount, url: done.url });

    const res = await fetch(done.url);
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('content-type')).toMatch(/jsonl/);
    expect(String(body.length)).toBe(done.fileSize);
    const stats = (await sandboxStats(shop.url)) as Json;
    expect(stats.bulkOperations).toMatchObject({ started: 1, completed: 1, refused: 1, downloads: 1 });
    expect(stats.throttled).toBe(0);
  });

  it('writes one line per order and per line item, each child after its parent with __parentId, matching the paged API', async () => {
    await run(ORDERS_AND_LINES);
    const done = await finished();
    const file = (await lines(done.url)).map((l) => JSON.parse(l));
    expect(String(file.length)).toBe(done.objectCount);
    const paged = await allOrders(shop, 'id name lineItems(first: 10) { nodes { id sku quantity } }', '', 50);
    const roots = file.filter((l) => !('__parentId' in l));
    expect(roots.map((r) => r.id)).toEqual(paged.map((o) => o.id));
    let parent: Json;
    const children = new Map<string, Json[]>();
    for (const line of file) {
      if ('__parentId' in line) {
        // After its parent, before the next order.
        expect(line.__parentId).toBe(parent.id);
        expect(Object.keys(line)).toEqual(['id', 'sku', 'quantity', '__parentId']);
        children.get(parent.id)!.push(line);
      } else {
        parent = line;
        expect(Object.keys(line)).toEqual(['id', 'name', 'updatedAt', 'totalPriceSet', 'customer']);
        expect(line.totalPriceSet.shopMoney.currencyCode).toBe('USD');
        children.set(line.id, []);
      }
    }
    for (const o of paged) expect(children.get(o.id)!.map((l) => ({ id: l.id, sku: l.sku, quantity: l.quantity }))).toEqual(o.lineItems.nodes);
    const counts = (await shop.admin('/__sandbox/orders')).body;
    expect(Number(done.objectCount)).toBe(counts.count + counts.lineItems);
  });

  it('honours the query argument, nodes as well as edges, and completes with no url when nothing matched', async () => {
    await run('{ orders(query: "financial_status:paid", sortKey: UPDATED_AT) { nodes { id updatedAt } } }');
    const paid = await finished();
    const expected = (await shop.data('{ ordersCount(query: "financial_status:paid") { count } }')).ordersCount.count;
    expect(paid.rootObjectCount).toBe(String(expected));
    const file = (await lines(paid.url)).map((l) => JSON.parse(l));
    for (let k = 1; k < file.length; k++) expect(Date.parse(file[k].updatedAt)).toBeGreaterThanOrEqual(Date.parse(file[k - 1].updatedAt));

    await run('{ orders(query: "financial_status:paid financial_status:pending") { edges { node { id } } } }');
    const none = await finished();
    expect(none).toMatchObject({ status: 'COMPLETED', objectCount: '0', rootObjectCount: '0', url: null });
  });

  it('refuses what is not a bulk query as INVALID user errors', async () => {
    const invalid = async (query: string) => {
      const r = await run(query);
      expect(r.bulkOperation).toBeNull();
      expect(r.userErrors).toHaveLength(1);
      expect(r.userErrors[0]).toMatchObject({ field: ['query'], code: 'INVALID' });
      return r.userErrors[0].message as string;
    };
    expect(await invalid('{ orders { edges { node { id }')).toMatch(/Invalid bulk query/);
    expect(await invalid('{ orders { edges { node { nope } } } }')).toMatch(/nope/);
    expect(await invalid('{ shop { id } }')).toMatch(/connection/);
    expect(await invalid('{ orders { pageInfo { hasNextPage } } }')).toMatch(/edges \{ node \} or nodes/);
    expect(await invalid('{ orders { nodes { name lineItems { nodes { sku } } } } }')).toMatch(/'id'/);
    expect(await invalid('query($q: String) { orders(query: $q) { nodes { id } } }')).toMatch(/variables/);
    expect(await invalid('mutation { bulkOperationCancel(id: "gid://shopify/BulkOperation/1") { userErrors { message } } }')).toMatch(/queries/);
    const six = ['a', 'b', 'c', 'd', 'e'].map((k) => `${k}: lineItems { nodes { id } }`).join(' ');
    expect(await invalid(`{ orders { nodes { id ${six} } } }`)).toMatch(/more than 5 connections/);
    expect(await invalid('{ orders(query: "(status:open") { nodes { id } } }')).toMatch(/search query/);
    expect(((await sandboxStats(shop.url)) as Json).bulkOperations).toMatchObject({ started: 0, refused: 9 });
  });

  it('cancels: CANCELING at once, then CANCELED; a finished one cannot be', async () => {
    await shop.admin('/__sandbox/bulk', { objectsPerSecond: 100 });
    const started = await run(ORDERS_AND_LINES);
    const cancel = 'mutation($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { id status } userErrors { field message } } }';
    const c = (await shop.data(cancel, { id: started.bulkOperation.id })).bulkOperationCancel;
    expect(c).toEqual({ bulkOperation: { id: started.bulkOperation.id, status: 'CANCELING' }, userErrors: [] });
    const done = await finished();
    expect(done.status).toBe('CANCELED');
    expect(Number(done.objectCount)).toBeLessThan(800);
    const again = (await shop.data(cancel, { id: started.bulkOperation.id })).bulkOperationCancel;
    expect(again.userErrors[0].message).toMatch(/cannot be canceled/);
    expect((await shop.data(cancel, { id: 'gid://shopify/BulkOperation/1' })).bulkOperationCancel.userErrors[0].message).toMatch(/does not exist/);
  });
});

describe('the result link', () => {
  it('needs no token but its signature, and serves byte ranges', async () => {
    await run(ORDERS_AND_LINES);
    const done = await finished();
    const full = Buffer.from(await (await fetch(done.url)).arrayBuffer());
    const tampered = done.url.replace(/signature=([0-9a-f])/, (_: string, c: string) => `signature=${c === '0' ? '1' : '0'}`);
    expect((await fetch(tampered)).status).toBe(403);
    expect((await fetch(done.url.split('?')[0])).status).toBe(404);
    const part = await fetch(done.url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${full.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(full.subarray(100, 200))).toBe(true);
    const tail = await fetch(done.url, { headers: { range: 'bytes=-50' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(full.subarray(full.length - 50))).toBe(true);
    expect((await fetch(done.url, { headers: { range: `bytes=${full.length}-` } })).status).toBe(416);
  });

  it('expires when newer results push it out (the last 5 are kept)', async () => {
    const urls: string[] = [];
    for (let k = 0; k < 6; k++) {
      await run(`{ orders(query: "id:<${5_600_000_000_010 + k}") { nodes { id } } }`);
      urls.push((await finished()).url);
    }
    expect((await fetch(urls[0]!)).status).toBe(404);
    expect((await fetch(urls[1]!)).status).toBe(200);
    const first = (await shop.data('query($id: ID!) { node(id: $id) { ... on BulkOperation { status url } } }', { id: `gid://shopify/BulkOperation/${new URL(urls[0]!).pathname.match(/(\d+)\.jsonl/)![1]}` })).node;
    expect(first).toEqual({ status: 'EXPIRED', url: null });
  });
});

describe('test hooks', () => {
  it('fails the next operation with an error code after some objects, its partial data at partialDataUrl', async () => {
    expect((await shop.admin('/__sandbox/bulk', { failNext: { errorCode: 'INTERNAL_SERVER_ERROR', afterObjects: 100 } })).status).toBe(200);
    await run(ORDERS_AND_LINES);
    const failed = await finished();
    expect(failed).toMatchObject({ status: 'FAILED', errorCode: 'INTERNAL_SERVER_ERROR', objectCount: '100', url: null });
    expect(await lines(failed.partialDataUrl)).toHaveLength(100);
    // Only the next one.
    await run(ORDERS_AND_LINES);
    expect((await finished()).status).toBe('COMPLETED');
    expect(((await sandboxStats(shop.url)) as Json).bulkOperations).toMatchObject({ failed: 1, completed: 1 });
  });

  it('writes the chosen orders and lines malformed; every other line parses', async () => {
    const victim = (await shop.data('{ orders(first: 1, query: "1005") { nodes { id } } }')).orders.nodes[0].id;
    await shop.admin('/__sandbox/bulk', { malformedOrders: [victim], malformedLines: [1] });
    await run(ORDERS_AND_LINES);
    const done = await finished();
    const file = await lines(done.url);
    const broken = file.filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    expect(broken).toHaveLength(2);
    expect(broken[0]).toBe(file[0]);
    expect(broken[1]).toContain(victim);
    // The victim's line items are intact, naming a parent the reader could not parse.
    expect(file.filter((l) => l.includes(`"__parentId":"${victim}"`)).every((l) => JSON.parse(l).__parentId === victim)).toBe(true);
  });

  it('cuts downloads after some bytes; a range request picks up where it stopped', async () => {
    await run(ORDERS_AND_LINES);
    const done = await finished();
    const full = Buffer.from(await (await fetch(done.url)).arrayBuffer());
    await shop.admin('/__sandbox/bulk', { cutDownloads: { afterBytes: 1000, count: 1 } });
    const res = await fetch(done.url);
    expect(res.headers.get('content-length')).toBe(String(full.length));
    const got: Buffer[] = [];
    const reader = res.body!.getReader();
    await expect(
      (async () => {
        for (;;) {
          const { done: end, value } = await reader.read();
          if (end) return;
          got.push(Buffer.from(value));
        }
      })(),
    ).rejects.toThrow();
    const head = Buffer.concat(got);
    expect(head.length).toBe(1000);
    const rest = Buffer.from(await (await fetch(done.url, { headers: { range: `bytes=${head.length}-` } })).arrayBuffer());
    expect(createHash('sha256').update(Buffer.concat([head, rest])).digest('hex')).toBe(createHash('sha256').update(full).digest('hex'));
  });
});

describe('the finish webhook', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => receiver?.close());

  it('tells bulk_operations/finish subscribers when an operation ends', async () => {
    expect((await subscribe(shop, 'BULK_OPERATIONS_FINISH', `${receiver.url}/bulk`)).userErrors).toEqual([]);
    const started = await run('{ orders { nodes { id } } }');
    await finished();
    const hook = await until(
      async () => receiver.received.find((r) => r.headers['x-shopify-topic'] === 'bulk_operations/finish'),
      (r) => r !== undefined,
    );
    expect(hook!.body).toMatchObject({ admin_graphql_api_id: started.bulkOperation.id, status: 'completed', error_code: null, type: 'query' });
    await shop.admin('/__sandbox/webhooks', { clearSubscriptions: true });
  });
});

describe('the default shop', () => {
  it('backfills all 100,000 orders and their line items in one streamed file', { timeout: 240_000 }, async () => {
    const big = await startShop({ shopify: { orders: undefined } });
    try {
      await big.refill();
      const started = (await big.data(RUN, { q: '{ orders { edges { node { id updatedAt lineItems { edges { node { id sku } } } } } } }' })).bulkOperationRunQuery;
      expect(started.userErrors).toEqual([]);
      const done = await until(
        async () => (await big.data('{ currentBulkOperation { status objectCount rootObjectCount url } }')).currentBulkOperation,
        (op) => op.status === 'COMPLETED',
        200_000,
        500,
      );
      const counts = (await big.admin('/__sandbox/orders')).body;
      expect(done.rootObjectCount).toBe('100000');
      expect(Number(done.objectCount)).toBe(100_000 + counts.lineItems);
      // Read it line by line, as a mirror would, never holding the file.
      const res = await fetch(done.url);
      const decoder = new TextDecoder();
      let rest = '';
      let roots = 0;
      let children = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const text = rest + decoder.decode(chunk, { stream: true });
        const parts = text.split('\n');
        rest = parts.pop()!;
        for (const p of parts) if (p.includes('__parentId')) children++;
        else roots++;
      }
      expect(rest).toBe('');
      expect({ roots, children }).toEqual({ roots: 100_000, children: counts.lineItems });
      expect((await sandboxStats(big.url)).throttled).toBe(0);
    } finally {
      await big.close();
    }
  });
});
