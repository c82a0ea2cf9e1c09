/**
 * The ION token over its life (issue 15, acceptance 1 and 2), against the
 * ION twin over real HTTP, with gateways configured by an `.ionapi` file
 * (ION_API_FILE) as in production:
 *
 * - under a read load, tokens that live 6 s are refreshed once per window
 *   (default settings: 5 minutes ahead, clamped to half the lifetime, so
 *   every 3 s), no call is ever refused with a 401, and every refresh is
 *   counted in `crossdock_token_refreshes_total`; two instances on one Redis
 *   make one refresh per window between them (the twin counts the grants);
 * - a token revoked upstream mid-load: one refresh on the first 401, reads
 *   go on; a refresh that fails turns health degraded, then unhealthy when
 *   the token expires, and healthy again when the token endpoint recovers.
 *
 * Acceptance 1 asks for tokens of 10 s under a 60 s load; 6 s tokens under a
 * 20 s load show the same thing (six or seven refresh windows) in a third
 * of the time.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import type { GqlBody } from '../support/gateway.js';
import { pollUntil, sandboxUpstreamEnv } from '../support/processes.js';
import { postgresServerAvailable, startPostgresServer, type PostgresServer } from '../support/postgresServer.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../support/redisServer.js';
import { resetSandbox, setFaults, startSandbox } from '../support/sandbox.js';

const KEY = `ion-tokens-admin-${randomBytes(8).toString('hex')}`;
const ENCRYPTION_KEY = randomBytes(32).toString('hex');
const gateways: Gateway[] = [];
const sandboxes: Sandbox[] = [];

interface TokenCounters {
  ttlSeconds: number;
  live: number;
  grants: { password: number; refresh_token: number };
  refused: number;
  revocations: number;
  rejected: number;
}

async function tokenCounters(sandbox: Sandbox): Promise<TokenCounters> {
  return (await (await fetch(`${sandbox.ion.url}/__sandbox/tokens`)).json()) as TokenCounters;
}
const grants = (c: TokenCounters) => c.grants.password + c.grants.refresh_token;

async function ionSandbox(tokenTtlSeconds: number): Promise<{ sandbox: Sandbox; ionApiFile: string }> {
  const sandbox = await startSandbox({ parts: 300, ion: { tokenTtlSeconds, requestsPerWindow: 10_000 }, finditparts: { ratePerSecond: 500, burst: 500, perMinute: 30_000 } });
  sandboxes.push(sandbox);
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-ionapi-'));
  const ionApiFile = join(dir, 'sandbox.ionapi');
  writeFileSync(ionApiFile, await (await fetch(`${sandbox.ion.url}/__sandbox/ionapi`)).text());
  return { sandbox, ionApiFile };
}

async function gateway(sandbox: Sandbox, ionApiFile: string, env: Record<string, string> = {}): Promise<Gateway> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    CROSSDOCK_DATA_DIR: mkdtempSync(join(tmpdir(), 'crossdock-iontok-')),
    CROSSDOCK_API_KEYS: `t:admin:${KEY}`,
    CLIENT_BUDGET_POINTS: '100000000',
    TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY,
    ION_API_FILE: ionApiFile,
    ION_RATE_PER_SECOND: '200',
    ION_PER_MINUTE: '100000',
    ...sandboxUpstreamEnv(sandbox),
    ...env,
  });
  const gw = await createGateway(config, { logger: createLogger({ level: 'silent' }) });
  gateways.push(gw);
  return gw;
}

async function gql(gw: Gateway, query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: GqlBody }> {
  const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(15_000) });
  return { status: res.status, body: (await res.json()) as GqlBody };
}

/** Successful token refreshes this gateway counted. */
async function refreshesCounted(gw: Gateway, success: 'true' | 'false' = 'true'): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`, { headers: { 'x-api-key': KEY } })).text();
  const m = new RegExp(`^crossdock_token_refreshes_total\\{connector="ion",success="${success}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

async function ionHealth(gw: Gateway): Promise<{ status: string; reason?: string }> {
  const body = (await (await fetch(`${gw.url}/ready`, { headers: { 'x-api-key': KEY } })).json()) as { checks: { connectors: Record<string, { status: string; reason?: string }> } };
  return body.checks.connectors.ion!;
}

interface LoadResult {
  requests: number;
  /** Every error a client saw, by code. */
  errors: Record<string, number>;
}

/** `workers` loops per gateway of ERP reads that each reach ION (a different input every time), until `ms` have passed. */
async function readLoad(gws: Gateway[], ms: number, workers = 3, during?: () => Promise<void>): Promise<LoadResult> {
  const result: LoadResult = { requests: 0, errors: {} };
  const until = Date.now() + ms;
  let n = 0;
  const loop = async (gw: Gateway) => {
    while (Date.now() < until) {
      const from = `${String.fromCharCode(65 + (n % 26))}${(n++).toString(36).toUpperCase()}`;
      const res = await gql(gw, `query($i: JSON) { m3(program: "MMS200MI", transaction: "LstItmByItm", input: $i, maxRecords: 1) { nrOfRecords } }`, { i: { ITNO: from } });
      result.requests++;
      for (const e of res.body.errors ?? []) {
        const code = String(e.extensions?.code ?? 'none');
        result.errors[code] = (result.errors[code] ?? 0) + 1;
      }
      if (res.status === 401) result.errors.HTTP_401 = (result.errors.HTTP_401 ?? 0) + 1;
    }
  };
  await Promise.all([...gws.flatMap((gw) => Array.from({ length: workers }, () => loop(gw))), during?.()]);
  return result;
}

afterAll(async () => {
  await Promise.allSettled(gateways.map((g) => g.close()));
  await Promise.allSettled(sandboxes.map((s) => s.close()));
});

// Tokens living 4 s are refreshed every 2 s (half their lifetime): ten seconds of load cross
// five windows, enough to see one refresh per window without a minute of load per case.
const TTL_S = 4;
const WINDOW_MS = (TTL_S * 1000) / 2;
const LOAD_MS = 10_000;

describe('refresh ahead of expiry under load (acceptance 1)', () => {
  it('one instance: a refresh every window, counted in metrics, zero 401s', async () => {
    const { sandbox, ionApiFile } = await ionSandbox(TTL_S);
    const gw = await gateway(sandbox, ionApiFile);
    await resetSandbox(sandbox.ion.url);
    const before = await refreshesCounted(gw);
    const load = await readLoad([gw], LOAD_MS);
    const counters = await tokenCounters(sandbox);
    expect(load.requests).toBeGreaterThan(100);
    expect(load.errors).toEqual({});
    // No call reached ION with a dead token: the token was always replaced before it expired.
    expect(counters.rejected).toBe(0);
    const windows = LOAD_MS / WINDOW_MS;
    expect(grants(counters)).toBeGreaterThanOrEqual(Math.floor(windows) - 1);
    expect(grants(counters)).toBeLessThanOrEqual(Math.ceil(windows) + 1);
    // By the refresh grant (the first token's refresh token), each one counted.
    expect(counters.grants.refresh_token).toBe(grants(counters));
    expect((await refreshesCounted(gw)) - before).toBe(grants(counters));
    expect(await refreshesCounted(gw, 'false')).toBe(0);
    expect((await ionHealth(gw)).status).toBe('healthy');
  }, 60_000);

  // Scale-out: the sealed token is a record (PostgreSQL, shared), the refresh lock a lease (Redis).
  const scaleOut = redisServerAvailable() && postgresServerAvailable();
  describe.skipIf(!scaleOut)('two instances on one Redis and one PostgreSQL', () => {
    let redis: RedisServer;
    let postgres: PostgresServer;
    beforeAll(async () => {
      [redis, postgres] = await Promise.all([startRedisServer(), startPostgresServer()]);
    });
    afterAll(async () => {
      await Promise.allSettled(gateways.splice(0).map((g) => g.close()));
      await Promise.allSettled([redis?.destroy(), postgres?.destroy()]);
    });

    it('one refresh per window for both (the twin counts the grants), zero 401s', async () => {
      const { sandbox, ionApiFile } = await ionSandbox(TTL_S);
      const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `iontok${randomBytes(3).toString('hex')}:`, DATABASE_URL: await postgres.createDatabase() };
      const a = await gateway(sandbox, ionApiFile, env);
      const b = await gateway(sandbox, ionApiFile, env);
      // The second instance adopted the first one's token at start.
      expect(grants(await tokenCounters(sandbox))).toBe(1);
      await resetSandbox(sandbox.ion.url);
      const before = (await refreshesCounted(a)) + (await refreshesCounted(b));
      const load = await readLoad([a, b], LOAD_MS, 2);
      const counters = await tokenCounters(sandbox);
      expect(load.requests).toBeGreaterThan(100);
      expect(load.errors).toEqual({});
      expect(counters.rejected).toBe(0);
      const windows = LOAD_MS / WINDOW_MS;
      // Two instances, one refresh per window between them (not two).
      expect(grants(counters)).toBeGreaterThanOrEqual(Math.floor(windows) - 1);
      expect(grants(counters)).toBeLessThanOrEqual(Math.ceil(windows) + 1);
      expect((await refreshesCounted(a)) + (await refreshesCounted(b)) - before).toBe(grants(counters));
    }, 60_000);
  });
});

describe('revocation and a failing token endpoint (acceptance 2)', () => {
  let sandbox: Sandbox;
  let gw: Gateway;

  it('a token revoked upstream mid-load: one refresh on the first 401, then reads go on', async () => {
    const s = await ionSandbox(7_200);
    sandbox = s.sandbox;
    gw = await gateway(sandbox, s.ionApiFile);
    await resetSandbox(sandbox.ion.url);
    const before = await refreshesCounted(gw);
    const load = await readLoad([gw], 5_000, 4, async () => {
      await new Promise((r) => setTimeout(r, 1_500));
      const res = await fetch(`${sandbox.ion.url}/__sandbox/tokens/revoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(((await res.json()) as { revoked: number }).revoked).toBe(1);
    });
    const counters = await tokenCounters(sandbox);
    expect(load.errors).toEqual({});
    // The calls in flight with the revoked token were refused, and retried once with the new one.
    expect(counters.rejected).toBeGreaterThanOrEqual(1);
    expect(counters.grants).toEqual({ password: 0, refresh_token: 1 });
    expect((await refreshesCounted(gw)) - before).toBe(1);
    // One instance alone: shutdown revokes its token (RFC 7009), leaving none alive upstream.
    await gw.close();
    const after = await tokenCounters(sandbox);
    expect(after.revocations).toBe(2);
    expect(after.live).toBe(0);
  }, 30_000);

  it('a refresh that fails turns health degraded, unhealthy once the token expires, and healthy when the endpoint recovers', async () => {
    const s = await ionSandbox(4);
    sandbox = s.sandbox;
    // Fast retries of the failing token call, checks every 200 ms and a short breaker cooldown, so the test sees each state.
    gw = await gateway(sandbox, s.ionApiFile, { RETRY_DELAY_SCALE: '0.01', ION_TOKEN_CHECK_INTERVAL_MS: '200', BREAKER_COOLDOWN_MS: '300' });
    expect((await ionHealth(gw)).status).toBe('healthy');
    const issued = Date.now();
    await setFaults(sandbox.ion.url, { errorRates: { '503': 1 }, match: { path: 'token\\.oauth2' } });
    // Due after 2 s: the refresh fails, the token still lives (the authorization server's open breaker degrades, no more).
    const degraded = await pollUntil(() => ionHealth(gw), (h) => h.status !== 'healthy' && /refresh failed/.test(h.reason ?? ''), { timeoutMs: 8_000, intervalMs: 100, what: 'a failed refresh' });
    expect(degraded.status).toBe('degraded');
    expect(Date.now() - issued).toBeLessThan(4_000);
    // Reads still work on the living token.
    expect((await gql(gw, `{ erpItems(itemNumbers: ["DG-0000001"]) { itemNumber } }`)).body.errors).toBeUndefined();
    const unhealthy = await pollUntil(() => ionHealth(gw), (h) => h.status === 'unhealthy', { timeoutMs: 8_000, intervalMs: 100, what: 'unhealthy' });
    expect(unhealthy.reason).toMatch(/no valid ION token/);
    // No token: a read fails fast with a typed error, not a hang and not a 401.
    const refused = await gql(gw, `{ erpItems(itemNumbers: ["UH-0000001"]) { itemNumber } }`);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(await refreshesCounted(gw, 'false')).toBeGreaterThanOrEqual(1);
    await setFaults(sandbox.ion.url, {});
    await pollUntil(() => ionHealth(gw), (h) => h.status === 'healthy', { timeoutMs: 8_000, intervalMs: 100, what: 'healthy again' });
    expect((await gql(gw, `{ erpItems(itemNumbers: ["OK-0000001"]) { itemNumber } }`)).body.errors).toBeUndefined();
  }, 40_000);
});
