/**
 * Bulk CSV imports through the real gateway and its sandbox (issue 17):
 *
 * - acceptance 1: a 10,000-row PART_LIST with 3% bad rows (unknown part, bad
 *   price, wrong column count, a quoted newline) lands the good rows, lists
 *   each bad one with its line, and a second import of the same file writes
 *   nothing;
 * - acceptance 6: wrong content type, empty file, no header, a 2 GB upload
 *   (by Content-Length, and by streaming past the limit), an unknown kind, a
 *   viewer's key: each a typed error, and nothing written (no job, no file,
 *   no store write);
 * - the override kinds, a dry run, and retrying an import's failures.
 *
 * What the store holds is read from the sandbox (the vendor's side), not
 * from what the gateway reports.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCatalog } from '../../src/sandbox/common/catalog.js';
import { runningTwin } from '../../src/sandbox/twins.js';
import { allFailures, postImport, waitImport } from '../support/bulk.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { resetSandbox, sandboxStats } from '../support/sandbox.js';

const PARTS = 12_000;
const SEED = 42;
const MAX_BYTES = 2_000_000;
const key = () => randomBytes(18).toString('base64url');
const OPERATOR = key();
const VIEWER = key();

let gw: TestGateway;
const catalog = createCatalog({ size: PARTS, seed: SEED });
const origin = () => runningTwin(gw.sandbox, 'bigcommerce')!.origin;

beforeAll(async () => {
  gw = await startGateway(
    { CROSSDOCK_API_KEYS: `ops:operator:${OPERATOR},look:viewer:${VIEWER}`, SYNC_CREATE_CONCURRENCY: '8', BULK_IMPORT_MAX_BYTES: String(MAX_BYTES) },
    { parts: PARTS, seed: SEED, finditparts: { ratePerSecond: 20_000, burst: 20_000, perMinute: 10_000_000 }, bigcommerce: { quota: 10_000_000, windowMs: 30_000 } },
  );
}, 60_000);
afterAll(async () => gw?.close());
beforeEach(async () => resetSandbox(gw.bcUrl, true));

const imports = () => (existsSync(gw.config.bulk.importDir) ? readdirSync(gw.config.bulk.importDir).filter((f) => f.endsWith('.csv') || f.endsWith('.tmp')) : []);
const jobCount = async () => ((await gw.gql<{ data: { syncJobs: { totalCount: number } } }>('{ syncJobs(first: 1) { totalCount } }', {}, { 'x-api-key': OPERATOR })).body.data.syncJobs.totalCount);

type BadKind = 'UNKNOWN_PART' | 'BAD_PRICE' | 'COLUMN_COUNT' | 'QUOTED_NEWLINE';
const BAD_KINDS: BadKind[] = ['UNKNOWN_PART', 'BAD_PRICE', 'COLUMN_COUNT', 'QUOTED_NEWLINE'];

/** The 10,000-row file, and what each bad row is and on which line it starts. */
function partList(rows: number) {
  const lines = ['Part Number,Name,Price'];
  const bad = new Map<number, BadKind>();
  const good: Array<{ partNumber: string; name?: string; price?: string }> = [];
  let line = 2;
  for (let i = 1; i <= rows; i++) {
    const part = catalog.get(i)!;
    const isBad = [10, 40, 70].includes(i % 100);
    if (isBad) {
      const kind = BAD_KINDS[Math.floor(i / 100) % 4]!;
      bad.set(line, kind);
      if (kind === 'UNKNOWN_PART') lines.push(`ZZ-${String(i).padStart(7, '0')},,`);
      else if (kind === 'BAD_PRICE') lines.push(`${part.partNumber},,12.345`);
      else if (kind === 'COLUMN_COUNT') lines.push(`${part.partNumber},x,1.00,extra`);
      else lines.push(`"${part.partNumber.slice(0, 3)}\n${part.partNumber.slice(3)}",,`);
      line += kind === 'QUOTED_NEWLINE' ? 2 : 1;
      continue;
    }
    const name = i % 11 === 0 ? `Custom, "quoted" name ${i}` : undefined;
    const price = i % 7 === 0 ? '19.99' : undefined;
    good.push({ partNumber: part.partNumber, ...(name ? { name } : {}), ...(price ? { price } : {}) });
    lines.push(`${part.partNumber},${name ? `"${name.replace(/"/g, '""')}"` : ''},${price ?? ''}`);
    line++;
  }
  return { text: `${lines.join('\n')}\n`, bad, good };
}

describe('acceptance 1: a 10,000-row PART_LIST with 3% bad rows', () => {
  it('lands the good rows, lists every bad one with its line, and a second import writes nothing', async () => {
    const { text, bad, good } = partList(10_000);
    expect(bad.size).toBe(300);
    const started = await postImport(gw, 'PART_LIST', text, { key: OPERATOR });
    expect(started.status).toBe(202);
    expect(started.body.job).toMatchObject({ kind: 'PART_LIST', rows: 10_000, dryRun: false });
    const done = await waitImport(gw, started.body.job!.id, OPERATOR);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.progress).toMatchObject({ total: 10_000, processed: 10_000, failed: 300 });
    expect(done.progress.created + done.progress.updated + done.progress.unchanged).toBe(9_700);
    expect(done.progress.created).toBeGreaterThan(0);

    const failures = await allFailures(gw, done.id, OPERATOR);
    expect(failures).toHaveLength(300);
    const byLine = new Map(failures.map((f) => [f.line, f]));
    for (const [line, kind] of bad) {
      const f = byLine.get(line);
      expect(f, `line ${line} (${kind})`).toBeDefined();
      expect(f!.message).toContain(`line ${line}`);
      if (kind === 'UNKNOWN_PART') expect(f).toMatchObject({ code: 'UNKNOWN_PART', column: 'part_number' });
      if (kind === 'BAD_PRICE') expect(f).toMatchObject({ code: 'VALIDATION', column: 'price' });
      if (kind === 'COLUMN_COUNT') expect(f).toMatchObject({ code: 'VALIDATION', column: null });
      if (kind === 'QUOTED_NEWLINE') expect(f).toMatchObject({ code: 'VALIDATION', column: 'part_number' });
    }

    // Every good row is in the store once, with its overrides.
    const products = origin().productsBySku(good.map((g) => g.partNumber));
    expect(products.size).toBe(9_700);
    for (const g of good.filter((_, i) => i % 37 === 0)) {
      const p = products.get(g.partNumber)!;
      if (g.name) expect(p.name).toBe(g.name);
      if (g.price) expect(p.price).toBe(Number(g.price));
    }

    const before = await sandboxStats(gw.bcUrl);
    const again = await postImport(gw, 'PART_LIST', text, { key: OPERATOR });
    expect(again.status).toBe(202);
    expect(again.body.alreadyRunning).toBe(false);
    expect(again.body.job!.id).not.toBe(done.id);
    const second = await waitImport(gw, again.body.job!.id, OPERATOR);
    expect(second.progress).toMatchObject({ processed: 10_000, created: 0, updated: 0, unchanged: 9_700, failed: 300 });
    const after = await sandboxStats(gw.bcUrl);
    expect(after.writes).toBe(before.writes);
    // One stored file for both uploads (content-addressed).
    expect(imports()).toHaveLength(1);
  }, 240_000);
});

describe('override kinds, dry run, retry', () => {
  it('PRICE_OVERRIDES and STOCK_OVERRIDES set products already in the store; unknown SKUs fail with their line', async () => {
    const present = Array.from({ length: 40 }, (_, i) => catalog.get(i + 1)!).filter((p) => origin().store.presence.has(p.index)).slice(0, 5);
    const csv = `SKU;Price\n${present.map((p) => `${p.partNumber};7.77`).join('\n')}\nNO-SUCH-SKU;1.00\n`;
    const job = await waitImport(gw, (await postImport(gw, 'price-overrides', csv, { key: OPERATOR })).body.job!.id, OPERATOR);
    expect(job.progress).toMatchObject({ processed: 6, updated: 5, failed: 1 });
    for (const p of present) expect(origin().productBySku(p.partNumber)!.price).toBe(7.77);
    const [failure] = await allFailures(gw, job.id, OPERATOR);
    expect(failure).toMatchObject({ sku: 'NO-SUCH-SKU', code: 'NOT_IN_STORE', line: 7 });

    const stock = `part_number\tqty\n${present.map((p) => `${p.partNumber}\t3`).join('\n')}\n`;
    const s = await waitImport(gw, (await postImport(gw, 'STOCK_OVERRIDES', stock, { key: OPERATOR })).body.job!.id, OPERATOR);
    expect(s.progress).toMatchObject({ processed: 5, updated: 5, failed: 0 });
    for (const p of present) expect(origin().productBySku(p.partNumber)!.inventory_level).toBe(3);
  }, 60_000);

  it('a dry run plans and writes nothing; retrying the failures re-reads only those lines', async () => {
    const parts = [1, 2, 3].map((i) => catalog.get(i)!);
    const csv = `part_number,price\n${parts[0]!.partNumber},9.00\n${parts[1]!.partNumber},abc\n${parts[2]!.partNumber},8.00\n`;
    const before = await sandboxStats(gw.bcUrl);
    const dry = await postImport(gw, 'PART_LIST', csv, { key: OPERATOR, dryRun: true });
    const dryJob = await waitImport(gw, dry.body.job!.id, OPERATOR);
    expect(dryJob.progress).toMatchObject({ processed: 3, failed: 1 });
    expect((await sandboxStats(gw.bcUrl)).writes).toBe(before.writes);

    const live = await waitImport(gw, (await postImport(gw, 'PART_LIST', csv, { key: OPERATOR })).body.job!.id, OPERATOR);
    expect(live.progress.failed).toBe(1);
    const retry = await gw.gql<{ data?: { retrySyncFailures: { job: { id: string; scope: { lines: number[] | null; importFile: { rows: number } | null } } } } }>(
      'mutation ($id: ID!) { retrySyncFailures(id: $id) { job { id scope { lines importFile { rows } } } } }',
      { id: live.id },
      { 'x-api-key': OPERATOR },
    );
    const retried = retry.body.data!.retrySyncFailures.job;
    expect(retried.scope).toEqual({ lines: [3], importFile: { rows: 3 } });
    const r = await waitImport(gw, retried.id, OPERATOR);
    expect(r.progress).toMatchObject({ total: 1, processed: 1, failed: 1 });
    expect((await allFailures(gw, r.id, OPERATOR))[0]).toMatchObject({ line: 3, column: 'price' });
  }, 60_000);

  it('startSync refuses the import kinds, pointing at the upload', async () => {
    const res = await gw.gql('mutation { startSync(input: { kind: PART_LIST }) { job { id } } }', {}, { 'x-api-key': OPERATOR });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toContain('/bulk/imports');
  });
});

describe('acceptance 6: bad input is a typed error and writes nothing', () => {
  async function nothingWritten(run: () => Promise<void>) {
    const [jobs, files, writes] = [await jobCount(), imports(), (await sandboxStats(gw.bcUrl)).writes];
    await run();
    expect(await jobCount()).toBe(jobs);
    expect(imports()).toEqual(files);
    expect((await sandboxStats(gw.bcUrl)).writes).toBe(writes);
  }

  it('wrong content type: 415 WRONG_CONTENT_TYPE', async () => {
    await nothingWritten(async () => {
      for (const type of ['application/json', 'text/plain', 'text/csv; charset=latin1']) {
        const res = await postImport(gw, 'PART_LIST', 'part_number\nBX-1\n', { key: OPERATOR, contentType: type });
        expect(res.status, type).toBe(415);
        expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', reason: 'WRONG_CONTENT_TYPE' });
      }
    });
  });

  it('empty file, header only, BOM only: 400 EMPTY_FILE', async () => {
    await nothingWritten(async () => {
      for (const body of ['', 'part_number\n', '\uFEFF', '\n\n']) {
        const res = await postImport(gw, 'PART_LIST', body, { key: OPERATOR });
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'EMPTY_FILE' });
      }
    });
  });

  it('no header (the first row is data): 400 NO_HEADER naming the missing column', async () => {
    await nothingWritten(async () => {
      const res = await postImport(gw, 'PART_LIST', `${catalog.get(1)!.partNumber},12.00\n${catalog.get(2)!.partNumber},13.00\n`, { key: OPERATOR });
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NO_HEADER' });
      expect(res.body.errors?.[0]?.message).toContain('part_number');
    });
  });

  it('not UTF-8: 400 NOT_UTF8', async () => {
    await nothingWritten(async () => {
      const res = await postImport(gw, 'PART_LIST', Buffer.from([0x70, 0x61, 0x72, 0x74, 0x0a, 0xff, 0xfe, 0x0a]), { key: OPERATOR });
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions?.reason).toBe('NOT_UTF8');
    });
  });

  it('unknown kind: 400 UNKNOWN_KIND; a viewer: 403 FORBIDDEN; no key: 401', async () => {
    await nothingWritten(async () => {
      const unknown = await postImport(gw, 'EVERYTHING', 'part_number\nBX-1\n', { key: OPERATOR });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN_KIND' });
      const viewer = await postImport(gw, 'PART_LIST', 'part_number\nBX-1\n', { key: VIEWER });
      expect(viewer.status).toBe(403);
      expect(viewer.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredRole: 'operator' });
      const anonymous = await fetch(`${gw.url}/bulk/imports?kind=PART_LIST`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'part_number\nBX-1\n' });
      expect(anonymous.status).toBe(401);
    });
  });

  it('a 2 GB upload is refused from its Content-Length before the body is read', async () => {
    await nothingWritten(async () => {
      const answer = await new Promise<{ status: number; body: string; sent: number }>((resolve, reject) => {
        let sent = 0;
        const req = request(`${gw.url}/bulk/imports?kind=PART_LIST`, {
          method: 'POST',
          headers: { 'content-type': 'text/csv', 'content-length': String(2 * 1024 ** 3), 'x-api-key': OPERATOR },
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, body, sent });
          });
        });
        req.on('error', (err) => (sent > 0 ? undefined : reject(err)));
        const chunk = Buffer.alloc(64 * 1024, 'a');
        req.write('part_number\n');
        const pump = () => {
          // Keep sending (up to 8 MiB) until the answer arrives: the gateway answers without reading it.
          if (req.destroyed || sent >= 8 * 1024 * 1024) return;
          sent += chunk.length;
          if (req.write(chunk)) setImmediate(pump);
          else req.once('drain', pump);
        };
        pump();
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).errors[0].extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', reason: 'FILE_TOO_LARGE', limitBytes: MAX_BYTES });
    });
  });

  it('a chunked upload is cut off once it streams past BULK_IMPORT_MAX_BYTES, and its partial file removed', async () => {
    await nothingWritten(async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${gw.url}/bulk/imports?kind=PART_LIST`, { method: 'POST', headers: { 'content-type': 'text/csv', 'x-api-key': OPERATOR } });
        req.on('response', (res) => {
          res.resume();
          req.destroy();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', (err) => reject(err));
        const row = `${catalog.get(1)!.partNumber}\n`.repeat(4096);
        req.write('part_number\n');
        let sent = 0;
        const pump = () => {
          if (req.destroyed || sent > 3 * MAX_BYTES) return;
          sent += row.length;
          if (req.write(row)) setImmediate(pump);
          else req.once('drain', pump);
        };
        pump();
      });
      expect(status).toBe(413);
    });
  });
});
