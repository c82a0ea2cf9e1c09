/**
 * Keys with a lifecycle, over real HTTP and WebSocket: network allow-lists
 * (and whose X-Forwarded-For is believed), rotation with overlap and expiry
 * on one client budget, and the keys file reloaded under load.
 */
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { keyIdOf } from '../../src/auth/keyring.js';
import { createLogger } from '../../src/observability/logger.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

const LAN = 'lan-only-key-0123456789abcdef';
const OPEN = 'open-key-0123456789abcdefgh';
const OLD = 'web-old-key-0123456789abcdef';
const NEW = 'web-new-key-0123456789abcdef';
const ADMIN = 'ops-admin-key-0123456789abcd';
const dir = mkdtempSync(join(tmpdir(), 'crossdock-keys-'));
const gateways: TestGateway[] = [];
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
});

function writeKeys(path: string, entries: unknown): void {
  // Replace by rename, as editors and config management do.
  writeFileSync(`${path}.tmp`, JSON.stringify(entries));
  renameSync(`${path}.tmp`, path);
}

async function gql(gw: TestGateway, key: string, headers: Record<string, string> = {}, query = '{ __typename }') {
  const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers }, body: JSON.stringify({ query }) });
  return { status: res.status, rateLimit: res.headers.get('ratelimit'), body: (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };
}

/** A graphql-ws connection: the key in the upgrade's headers or in connection_init; resolves with how it ended up. */
function ws(gw: TestGateway, opts: { headerKey?: string; initKey?: string; forwardedFor?: string }): Promise<{ upgrade?: number; closed?: number; acked?: boolean }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (opts.headerKey) headers['x-api-key'] = opts.headerKey;
    if (opts.forwardedFor) headers['x-forwarded-for'] = opts.forwardedFor;
    const socket = new WebSocket(`${gw.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers });
    const timer = setTimeout(() => {
      socket.terminate();
      resolve({});
    }, 5_000);
    const done = (r: { upgrade?: number; closed?: number; acked?: boolean }) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      // Terminating a socket that never opened emits an error: it is expected here.
      socket.on('error', () => undefined);
      socket.terminate();
      resolve(r);
    };
    socket.on('unexpected-response', (_req, res) => done({ upgrade: res.statusCode }));
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: opts.initKey ? { apiKey: opts.initKey } : {} })));
    socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') done({ acked: true });
    });
    socket.on('close', (code) => done({ closed: code }));
    socket.on('error', () => undefined);
  });
}

describe('network allow-lists', () => {
  const keysFile = join(dir, 'lan.json');
  writeKeys(keysFile, [
    { client: 'lan', role: 'viewer', key: LAN, allow: ['10.0.0.0/8'] },
    { client: 'open', role: 'viewer', key: OPEN },
  ]);

  it('a key allowed only from 10.0.0.0/8 is refused from 127.0.0.1, and a spoofed X-Forwarded-For does not help when 127.0.0.1 is not a trusted proxy', async () => {
    const gw = await startGateway({ CROSSDOCK_API_KEYS_FILE: keysFile });
    gateways.push(gw);
    const direct = await gql(gw, LAN);
    expect(direct.status).toBe(403);
    expect(direct.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NETWORK_NOT_ALLOWED' });
    const spoofed = await gql(gw, LAN, { 'x-forwarded-for': '10.1.2.3' });
    expect(spoofed.status).toBe(403);
    expect((await gql(gw, OPEN, { 'x-forwarded-for': '10.1.2.3' })).status).toBe(200);
    // WebSocket: the key in the upgrade request, or in connection_init.
    expect(await ws(gw, { headerKey: LAN, forwardedFor: '10.1.2.3' })).toEqual({ upgrade: 403 });
    expect(await ws(gw, { initKey: LAN })).toEqual({ closed: 4401 });
    expect(await ws(gw, { headerKey: OPEN })).toEqual({ acked: true });
    expect(await ws(gw, { initKey: OPEN })).toEqual({ acked: true });
    // The SSE endpoint goes through the same check.
    const sse = await fetch(`${gw.url}/graphql/stream`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': LAN }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(sse.status).toBe(403);
  });

  it('the same key through a trusted proxy (TRUSTED_PROXIES=127.0.0.1) is accepted with X-Forwarded-For 10.1.2.3 and still refused without it', async () => {
    const gw = await startGateway({ CROSSDOCK_API_KEYS_FILE: keysFile, TRUSTED_PROXIES: '127.0.0.1/32, ::1' });
    gateways.push(gw);
    expect((await gql(gw, LAN, { 'x-forwarded-for': '10.1.2.3' })).status).toBe(200);
    expect((await gql(gw, LAN)).status).toBe(403);
    // A client that prepends its own entry does not move the address the trusted proxy saw.
    expect((await gql(gw, LAN, { 'x-forwarded-for': '10.1.2.3, 198.51.100.7' })).status).toBe(403);
    expect(await ws(gw, { headerKey: LAN, forwardedFor: '10.1.2.3' })).toEqual({ acked: true });
    expect(await ws(gw, { initKey: LAN, forwardedFor: '10.1.2.3' })).toEqual({ acked: true });
    expect(await ws(gw, { initKey: LAN })).toEqual({ closed: 4401 });
    expect((await gql(gw, OPEN)).status).toBe(200);
  });
});

describe('rotation', () => {
  it('old and new key of one client both work, on one budget; then the old one expires and is refused, saying so; logs name key ids, never keys', async () => {
    const keysFile = join(dir, 'rotation.json');
    const expiresAt = '2031-06-01T00:00:00Z';
    writeKeys(keysFile, [
      { client: 'web', role: 'viewer', key: OLD, expiresAt },
      { client: 'web', role: 'viewer', key: NEW },
    ]);
    let now = Date.parse(expiresAt) - 60_000;
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const gw = await startGateway({ CROSSDOCK_API_KEYS_FILE: keysFile, CLIENT_BUDGET_POINTS: '3', CLIENT_BUDGET_WINDOW_SECONDS: '3600' }, { parts: 50 }, { clock: () => now, logger: createLogger({ level: 'info', destination: sink }) });
    gateways.push(gw);
    // Each costs 1 point; three points for the client, whichever key it presents: the fourth answer is a 429.
    const answers = [await gql(gw, OLD), await gql(gw, NEW), await gql(gw, OLD), await gql(gw, NEW)];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers.slice(0, 3).map((a) => a.rateLimit)).toEqual(['"budget";r=2;t=3600', '"budget";r=1;t=3600', '"budget";r=0;t=3600']);
    now = Date.parse(expiresAt) + 1;
    const expired = await gql(gw, OLD);
    expect(expired.status).toBe(401);
    expect(expired.body.errors?.[0]?.message).toMatch(/expired at 2031-06-01T00:00:00.000Z/);
    expect(expired.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'KEY_EXPIRED' });
    const log = lines.join('');
    expect(log).toContain(keyIdOf(OLD));
    expect(log).toContain(keyIdOf(NEW));
    expect(log).not.toContain(OLD);
    expect(log).not.toContain(NEW);
  });
});

describe('the audit log', () => {
  it('names which of a client’s keys was used, by key id, never the key', async () => {
    const keysFile = join(dir, 'audit.json');
    writeKeys(keysFile, [
      { client: 'web', role: 'viewer', key: OLD },
      { client: 'web', role: 'viewer', key: NEW },
      { client: 'ops', role: 'admin', key: ADMIN },
    ]);
    const gw = await startGateway({ CROSSDOCK_API_KEYS_FILE: keysFile });
    gateways.push(gw);
    // A mutation a viewer may not run is refused, and audited (REFUSED, FORBIDDEN) under the key that asked.
    for (const key of [OLD, NEW]) expect((await gql(gw, key, {}, 'mutation { startSync(input: { kind: PRICE, dryRun: true }) { job { id } } }')).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const audit = await gql(gw, ADMIN, {}, '{ auditLog(first: 10) { edges { node { client keyId field outcome } } } }');
    const entries = (audit.body.data as { auditLog: { edges: Array<{ node: { client: string; keyId: string | null; field: string; outcome: string } }> } }).auditLog.edges.map((e) => e.node);
    const web = entries.filter((e) => e.client === 'web');
    expect(web.map((e) => [e.field, e.outcome])).toEqual([
      ['startSync', 'REFUSED'],
      ['startSync', 'REFUSED'],
    ]);
    expect(web.map((e) => e.keyId).sort()).toEqual([keyIdOf(NEW), keyIdOf(OLD)].sort());
    const text = JSON.stringify(audit.body);
    for (const key of [OLD, NEW, ADMIN]) expect(text).not.toContain(key);
  });
});

describe('reloading the keys file', () => {
  it('edited while 500 requests are in flight: none fails, the new key works within 2 s, a broken file keeps the old keys', async () => {
    const keysFile = join(dir, 'reload.json');
    writeKeys(keysFile, [{ client: 'open', role: 'viewer', key: OPEN }]);
    const gw = await startGateway({ CROSSDOCK_API_KEYS_FILE: keysFile });
    gateways.push(gw);
    const NEXT = 'next-key-0123456789abcdefgh';
    const inFlight = Array.from({ length: 500 }, (_, i) => gql(gw, OPEN, {}, `{ n${i}: __typename }`));
    writeKeys(keysFile, [
      { client: 'open', role: 'viewer', key: OPEN },
      { client: 'next', role: 'viewer', key: NEXT },
    ]);
    const statuses = (await Promise.all(inFlight)).map((r) => r.status);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const deadline = Date.now() + 2_000;
    let next = await gql(gw, NEXT);
    while (next.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      next = await gql(gw, NEXT);
    }
    expect(next.status).toBe(200);
    // A broken file: the keys in use stay (the reload is forced, as SIGHUP does, so the test need not wait for the poll).
    writeFileSync(keysFile, '[{ "client": "open", "role": "viewer", "key": ');
    expect(gw.reloadKeys('test')).toBe(false);
    expect((await gql(gw, OPEN)).status).toBe(200);
    expect((await gql(gw, NEXT)).status).toBe(200);
    // And a good one again is taken: NEXT is gone from it.
    writeKeys(keysFile, [{ client: 'open', role: 'viewer', key: OPEN }]);
    expect(gw.reloadKeys('test')).toBe(true);
    expect((await gql(gw, NEXT)).status).toBe(401);
  });
});
