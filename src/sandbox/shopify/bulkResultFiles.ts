/**
 * Where bulk operation results live and how they are fetched (upstreams.md:
 * the `url` of a finished operation is a JSONL file that expires after 7
 * days). The vendor serves them from its storage under signed links that
 * need no access token; so does the sandbox, from a temporary directory, at
 * `GET /bulk-operation-results/{id}.jsonl?expires=…&signature=…` on its own
 * origin, with `Range` requests honoured (a reader that lost its connection
 * picks up where it stopped). A test hook cuts the next downloads after
 * some bytes: the promised length, fewer bytes, then the connection drops.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync, type ReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const RESULTS_PATH = '/bulk-operation-results';

export interface BulkDownload {
  status: number;
  headers: Record<string, string>;
  /** The file's bytes, or an error text. */
  body: ReadStream | string;
  /** Drop the connection after the body's bytes (a cut download). */
  cut: boolean;
}

export interface ResultFiles {
  /** The path of an operation's file (the directory is made on first use). */
  pathOf(id: number): string;
  /** The signed link to an operation's file, valid `ttlMs` from `fromSec`. */
  link(id: number, fromSec: number): string;
  /** Answers a download; `fileOf` names the file of a servable operation. */
  download(name: string, query: Record<string, unknown>, range: string | undefined, fileOf: (id: number) => string | null | undefined): BulkDownload;
  /** Cuts the next `count` downloads after `afterBytes` bytes. */
  cutNext(afterBytes: number, count: number): void;
  /** The cut still planned, if any. */
  cuts(): { afterBytes: number; count: number } | undefined;
  /** Downloads answered 2xx since the last reset of the counters. */
  downloads(): number;
  resetCounters(): void;
  /** Deletes every file and the directory; ends downloads in flight. */
  clear(): void;
}

export function createResultFiles(options: { originUrl(): string; ttlMs: number }): ResultFiles {
  const signingKey = randomBytes(32);
  let dir: string | undefined;
  let cutsLeft = 0;
  let cutAfter = 0;
  let downloads = 0;
  const streams = new Set<ReadStream>();

  const sign = (id: number, expires: number) => createHmac('sha256', signingKey).update(`${id}:${expires}`).digest('hex');
  const text = (status: number, body: string, headers: Record<string, string> = {}): BulkDownload => ({ status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body, cut: false });

  function download(name: string, query: Record<string, unknown>, range: string | undefined, fileOf: (id: number) => string | null | undefined): BulkDownload {
    const m = /^(\d{1,16})\.jsonl$/.exec(name);
    const id = m ? Number(m[1]) : NaN;
    const expires = Number(query.expires);
    const signature = typeof query.signature === 'string' ? query.signature : '';
    if (!m || !Number.isSafeInteger(expires)) return text(404, 'NoSuchKey: The specified key does not exist.');
    const expected = Buffer.from(sign(id, expires));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return text(403, 'SignatureDoesNotMatch: the link is not signed by this origin.');
    if (expires * 1000 < Date.now()) return text(400, 'ExpiredToken: the link has expired.');
    const file = fileOf(id);
    if (!file) return text(404, 'NoSuchKey: The specified key does not exist.');
    const size = statSync(file).size;
    let start = 0;
    let end = size - 1;
    let status = 200;
    const headers: Record<string, string> = { 'content-type': 'application/jsonl', 'accept-ranges': 'bytes' };
    if (range) {
      const r = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      const unsatisfiable = text(416, 'InvalidRange', { 'content-range': `bytes */${size}` });
      if (!r || (r[1] === '' && r[2] === '')) return unsatisfiable;
      if (r[1] === '') start = Math.max(0, size - Number(r[2]));
      else {
        start = Number(r[1]);
        if (r[2] !== '') end = Math.min(size - 1, Number(r[2]));
      }
      if (start >= size || start > end) return unsatisfiable;
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${size}`;
    }
    headers['content-length'] = String(end - start + 1);
    downloads++;
    let cut = false;
    if (cutsLeft > 0) {
      cutsLeft--;
      cut = true;
      end = Math.min(end, start + cutAfter - 1);
    }
    if (end < start) return { status, headers, body: '', cut };
    const stream = createReadStream(file, { start, end });
    stream.on('error', () => undefined);
    streams.add(stream);
    stream.once('close', () => streams.delete(stream));
    return { status, headers, body: stream, cut };
  }

  return {
    pathOf(id) {
      dir ??= mkdtempSync(join(tmpdir(), 'crossdock-shopify-bulk-'));
      return join(dir, `${id}.jsonl`);
    },
    link(id, fromSec) {
      const expires = Math.floor(fromSec + options.ttlMs / 1000);
      return `${options.originUrl()}${RESULTS_PATH}/${id}.jsonl?expires=${expires}&signature=${sign(id, expires)}`;
    },
    download,
    cutNext(afterBytes, count) {
      cutAfter = afterBytes;
      cutsLeft = count;
    },
    cuts: () => (cutsLeft > 0 ? { afterBytes: cutAfter, count: cutsLeft } : undefined),
    downloads: () => downloads,
    resetCounters() {
      downloads = 0;
    },
    clear() {
      for (const s of streams) s.destroy();
      streams.clear();
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
      cutsLeft = 0;
    },
  };
}
