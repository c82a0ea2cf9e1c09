/**
 * The connector contract from the outside: a throw-away connector, defined
 * here through the public contract alone (defineConnector + the kit) over a
 * tiny fake upstream, added to the composition list by loadConfig's second
 * argument — no file of the gateway edited. It shows up in /ready and in the
 * `upstreams` query with its own pacing (its vendor's quota header closes its
 * gate, not the others') and its own breaker (its failures open it, the
 * others stay closed).
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { CONNECTORS } from '../../src/connectors.js';
import { defineConnector, type UpstreamHandle } from '../../src/connectors/connector.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';

/** The fake vendor: answers `GET /{account}/ping`, reports each account's quota in `X-Left`, fails with 503 when told. */
let failing = false;
const left: Record<string, number> = { fake: 100, flaky: 100 };
let hits = 0;
const upstream: Server = createServer((req, res) => {
  hits++;
  res.setHeader('content-type', 'application/json');
  res.setHeader('x-left', String(left[(req.url ?? '').split('/')[1] ?? ''] ?? 100));
  if (failing) {
    res.statusCode = 503;
    res.end('{"error":"down"}');
    return;
  }
  res.end('{"ok":true}');
});

const handles = new Map<string, UpstreamHandle>();
/** A connector over the fake vendor; `variable` is its one config variable (its base URL). */
function fakeConnector(name: string, variable: string) {
  return defineConnector<{ url: string }>({
    name,
    title: name,
    required: false,
    config: {
      env: { [variable]: z.string().url().optional() },
      resolve: (values) => {
        const url = values[variable];
        return typeof url === 'string' ? { configured: true, config: { url } } : { configured: false, reason: `${variable} is not set` };
      },
    },
    create(config, kit) {
      const handle = kit.upstream({
        baseUrl: config.url,
        vendor: {
          authHeaders: () => ({}),
          // Its quota model: whatever X-Left says is what is left, for the next 10 s (within the interactive deadline).
          quotaReport: (_status, headers) => (headers['x-left'] !== undefined ? { left: Number(headers['x-left']), resetMs: 10_000 } : {}),
          errorMessage: () => undefined,
        },
        budgets: [{ points: 40, durationMs: 1_000 }],
      });
      handles.set(name, handle);
      return { provides: {}, upstreams: [handle], health: () => ({ status: 'healthy', reason: 'fake upstream' }) };
    },
  });
}

let gw: Gateway;
const KEY = 'contract-test-key-0123456789';

const ping = (name: string, signal?: AbortSignal) => handles.get(name)!.http.request({ method: 'GET', path: ['ping'], endpoint: 'ping', lane: 'interactive', signal });

async function gql<T>(query: string): Promise<T> {
  const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
interface Row {
  name: string;
  connector: string;
  health: string;
  sandbox: boolean;
  breaker: string;
  budgets: Array<{ points: number; durationMs: number }>;
  quotaRemaining: number | null;
  waiting: number;
}
const rows = async () => (await gql<{ upstreams: Row[] }>('{ upstreams { name connector health sandbox breaker budgets { points durationMs } quotaRemaining waiting } }')).upstreams;
const ready = async () => (await (await fetch(`${gw.url}/ready`, { headers: { 'x-api-key': KEY } })).json()) as { status: string; checks: { connectors: Record<string, { status: string; reason?: string; sandbox: boolean }> } };

beforeAll(async () => {
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const address = upstream.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const config = loadConfig(
    {
      PORT: '0',
      LOG_LEVEL: 'silent',
      CROSSDOCK_DATA_DIR: mkdtempSync(join(tmpdir(), 'crossdock-contract-')),
      CROSSDOCK_API_KEYS: `t:admin:${KEY}`,
      FAKE_URL: `http://127.0.0.1:${port}/fake`,
      FLAKY_URL: `http://127.0.0.1:${port}/flaky`,
      BREAKER_FAILURE_THRESHOLD: '2',
      BREAKER_COOLDOWN_MS: '600000',
      RETRY_DELAY_SCALE: '0',
    },
    [...CONNECTORS, fakeConnector('fake', 'FAKE_URL'), fakeConnector('flaky', 'FLAKY_URL')],
  );
  gw = await createGateway(config, { sandbox: { parts: 50 }, logger: createLogger({ level: 'silent' }) });
});
afterAll(async () => {
  await gw?.close();
  await new Promise((r) => upstream.close(r));
});

describe('a connector added through the public contract alone', () => {
  it('has its row in /ready and in upstreams, beside the list it was added to', async () => {
    const r = await ready();
    expect(Object.keys(r.checks.connectors)).toEqual(['finditparts', 'bigcommerce', 'ion', 'shopify', 'tiktok', 'whatsapp', 'fake', 'flaky']);
    expect(r.checks.connectors.fake).toMatchObject({ status: 'healthy', sandbox: false });
    const fakeRow = (await rows()).find((u) => u.name === 'fake');
    expect(fakeRow).toMatchObject({ connector: 'fake', health: 'HEALTHY', sandbox: false, breaker: 'CLOSED', budgets: [{ points: 40, durationMs: 1_000 }] });
    // The others run on their sandbox twins with budgets of their own.
    const others = (await rows()).filter((u) => !['fake', 'flaky'].includes(u.name));
    expect(others.map((u) => [u.connector, u.sandbox])).toEqual([
      ['finditparts', true],
      ['bigcommerce', true],
      ['ion', true],
      ['ion', true],
      ['shopify', true],
      ['tiktok', true],
      ['tiktok', true],
      ['whatsapp', true],
    ]);
  });

  it('is paced on its own quota model: its vendor reporting nothing left holds its calls, not the others', async () => {
    left.fake = 0;
    await ping('fake'); // the answer says nothing is left for 10 s: its gate closes
    const hitsBefore = hits;
    const controller = new AbortController();
    const held = ping('fake', controller.signal).catch((err: unknown) => err);
    const fakeRow = (await rows()).find((u) => u.name === 'fake')!;
    expect(fakeRow.quotaRemaining).toBe(0);
    expect(fakeRow.waiting).toBe(1);
    // The supplier's and the store's pacers are not held by it.
    const parts = await gql<{ parts: Array<{ id: string } | null> }>('{ parts(ids: ["1", "2"]) { id } }');
    expect(parts.parts.filter(Boolean)).toHaveLength(2);
    expect((await rows()).filter((u) => u.name !== 'fake').every((u) => u.waiting === 0)).toBe(true);
    // The other fake, on the same vendor, has a gate of its own: still open.
    await expect(ping('flaky')).resolves.toMatchObject({ status: 200 });
    controller.abort();
    await held;
    expect(hits).toBe(hitsBefore + 1); // the other fake's ping, nothing of the held one
    left.fake = 100;
  });

  it('has a breaker of its own: its failures open it and turn its row unhealthy, the others stay closed', async () => {
    failing = true;
    for (let i = 0; i < 2; i++) await ping('flaky').catch(() => undefined);
    const all = await rows();
    expect(all.find((u) => u.name === 'flaky')).toMatchObject({ breaker: 'OPEN', health: 'UNHEALTHY' });
    expect(all.filter((u) => u.name !== 'flaky').map((u) => u.breaker)).toEqual(['CLOSED', 'CLOSED', 'CLOSED', 'CLOSED', 'CLOSED', 'CLOSED', 'CLOSED', 'CLOSED', 'CLOSED']);
    const r = await ready();
    expect(r.status).toBe('degraded');
    expect(r.checks.connectors.flaky?.status).toBe('unhealthy');
    expect(r.checks.connectors.flaky?.reason).toMatch(/breaker open/);
    expect(r.checks.connectors.fake?.status).toBe('healthy');
    expect(r.checks.connectors.finditparts?.status).toBe('healthy');
    failing = false;
  });
});
