/**
 * The benches read the gateway as a browser does (bench/lib/browser.ts):
 * they ask for gzip, deflate and br, and read a compressed answer or event
 * stream decoded; graphql-sse's `Content-Encoding: none` is read as sent.
 * And a production gateway's log is summarised for each section
 * (bench/lib/gatewayLog.ts): warnings and errors counted, the banner not.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_ACCEPT_ENCODING, browserClient, decodedBody } from '../../bench/lib/browser.js';
import { gatewayLogLine, gatewayLogSummary } from '../../bench/lib/gatewayLog.js';

const BODY = 'event: next\ndata: {"data":{"ok":true}}\n\n';
const encoders: Record<string, (b: Buffer) => Buffer> = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync, none: (b) => b, identity: (b) => b };

let server: Server;
let origin = '';
const seen: Array<string | undefined> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers['accept-encoding']);
    if (req.url === '/graphql') {
      const json = Buffer.from(JSON.stringify({ data: { hello: 'x'.repeat(2_000) } }));
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' });
      res.end(brotliCompressSync(json));
      return;
    }
    const coding = (req.url ?? '/').slice(1);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': coding });
    res.end((encoders[coding] as (b: Buffer) => Buffer)(Buffer.from(BODY)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function read(coding: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(`${origin}/${coding}`, { headers: { 'accept-encoding': BROWSER_ACCEPT_ENCODING } }, (res: IncomingMessage) => {
      let body;
      try {
        body = decodedBody(res);
      } catch (err) {
        res.resume();
        return reject(err);
      }
      body.setEncoding('utf8');
      let text = '';
      body.on('data', (c: string) => (text += c));
      body.once('end', () => resolve(text));
      body.once('error', reject);
    }).once('error', reject);
  });
}

describe('bench clients read as a browser does', () => {
  it.each(['gzip', 'deflate', 'br', 'identity', 'none'])('decodes an event stream sent with Content-Encoding: %s', async (coding) => {
    expect(await read(coding)).toBe(BODY);
  });

  it("asks for a browser's encodings and reads a compressed GraphQL answer, saying how it came", async () => {
    const r = await browserClient({ url: origin, key: 'k' }).gql<{ hello: string }>('{ hello }');
    expect(r.status).toBe(200);
    expect(r.data?.hello).toHaveLength(2_000);
    expect(r.encoding).toBe('br');
    expect(seen.at(-1)).toBe('gzip, deflate, br');
  });
});

describe("a production gateway's log", () => {
  it('counts warnings and errors, and the start-up banner as neither', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-log-'));
    try {
      writeFileSync(
        join(dir, 'gateway.log'),
        [
          'Crossdock gateway (production) listening on http://127.0.0.1:4000',
          '  GraphQL     http://127.0.0.1:4000/graphql',
          JSON.stringify({ level: 'info', msg: 'request completed' }),
          JSON.stringify({ level: 'warn', msg: 'alert firing', alert: 'UpstreamSlow' }),
          JSON.stringify({ level: 'error', msg: 'upstream failed' }),
          'TypeError: boom',
          '    at run (file:///app/dist/x.js:1:2)',
          '',
        ].join('\n'),
      );
      const s = gatewayLogSummary(dir);
      expect(s).toMatchObject({ lines: 7, warn: 1, error: 3 });
      expect(gatewayLogLine(s)).toMatch(/7 lines at the default level, 1 warnings and 3 errors: `warn: alert firing \(UpstreamSlow\)`, `error: upstream failed`/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
