/** Configuration: validated once, defaults applied, secrets never echoed in errors. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('defaults to the embedded development mode on loopback', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ mode: 'development', host: '127.0.0.1', port: 4000, apiKeys: [] });
    // No upstream configured: every connector runs against its sandbox twin.
    expect(c.connectors.map((s) => [s.name, s.plan.kind])).toEqual([
      ['finditparts', 'sandbox'],
      ['bigcommerce', 'sandbox'],
      ['ion', 'sandbox'],
      ['shopify', 'sandbox'],
      ['tiktok', 'sandbox'],
      ['whatsapp', 'sandbox'],
    ]);
    expect(c.cache.ttl).toEqual({ partMs: 600_000, priceMs: 300_000, stockMs: 60_000, productMs: 300_000, orderMs: 30_000 });
  });

  it('parses CROSSDOCK_API_KEYS as name:role:key entries', () => {
    const c = loadConfig({ CROSSDOCK_API_KEYS: 'shop:viewer:aaaaaaaaaaaaaaaaaaaa, ops:operator:bbbbbbbbbbbbbbbbbbbb:withcolon' });
    expect(c.apiKeys).toEqual([
      { name: 'shop', role: 'viewer', key: 'aaaaaaaaaaaaaaaaaaaa' },
      { name: 'ops', role: 'operator', key: 'bbbbbbbbbbbbbbbbbbbb:withcolon' },
    ]);
  });

  it('refuses production without keys, and names problems without echoing secrets', () => {
    expect(() => loadConfig({ CROSSDOCK_MODE: 'production' })).toThrow(/requires CROSSDOCK_API_KEYS/);
    const secret = 'super-secret-value-1234';
    let message = '';
    try {
      loadConfig({ CROSSDOCK_API_KEYS: `x:root:${secret}`, FINDITPARTS_BASE_URL: 'http://127.0.0.1:1/api/v1', FINDITPARTS_CLIENT_SECRET: secret });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/unknown role/);
    expect(message).not.toContain(secret);
  });

  it('requires both upstreams or neither, and a store hash in the BigCommerce URL', () => {
    expect(() => loadConfig({ FINDITPARTS_BASE_URL: 'http://127.0.0.1:1/api/v1', FINDITPARTS_API_KEY: 'k' })).toThrow(/configure all of FinditParts, BigCommerce or none of them/);
    expect(() =>
      loadConfig({
        FINDITPARTS_BASE_URL: 'http://127.0.0.1:1/api/v1',
        FINDITPARTS_API_KEY: 'k',
        BIGCOMMERCE_API_URL: 'http://127.0.0.1:2/v3',
        BIGCOMMERCE_ACCESS_TOKEN: 't',
      }),
    ).toThrow(/stores\/\{store_hash\}/);
  });
});

describe('UPSTREAM_MAX_BODY_BYTES', () => {
  it('bounds upstream answers at 8 MiB by default, and takes a configured size', () => {
    expect(loadConfig({}).upstreamMaxBodyBytes).toBe(8 * 1024 * 1024);
    expect(loadConfig({ UPSTREAM_MAX_BODY_BYTES: '1048576' }).upstreamMaxBodyBytes).toBe(1_048_576);
  });

  it('refuses a size that is not a whole number of bytes in range, naming the variable', () => {
    for (const bad of ['abc', '0', '-5', '1.5', '100', String(2 ** 31)]) {
      expect(() => loadConfig({ UPSTREAM_MAX_BODY_BYTES: bad }), bad).toThrow(/UPSTREAM_MAX_BODY_BYTES/);
    }
  });
});

describe('records: DATABASE_URL, REDIS_URL and CROSSDOCK_SINGLE_INSTANCE', () => {
  const PG = 'postgres://crossdock:pw-not-shown-1234@db.internal:5432/crossdock';
  const message = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    return '';
  };

  it('keeps records in the data dir’s SQLite file by default', () => {
    expect(loadConfig({ CROSSDOCK_DATA_DIR: '/var/lib/crossdock' }).records).toEqual({ database: { engine: 'sqlite', path: '/var/lib/crossdock/crossdock.db' }, singleInstance: false });
  });

  it('puts them in PostgreSQL with DATABASE_URL and REDIS_URL, with the pool and deadline settings', () => {
    const c = loadConfig({ DATABASE_URL: PG, REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_POOL_MAX: '4', DATABASE_QUERY_TIMEOUT_MS: '2500' });
    expect(c.records.database).toEqual({ engine: 'postgres', url: PG, poolMax: 4, connectTimeoutMs: 2000, queryTimeoutMs: 2500 });
    expect(c.redis?.url).toBe('redis://127.0.0.1:6379');
  });

  it('refuses REDIS_URL without DATABASE_URL: the records would silently be per instance', () => {
    expect(message({ REDIS_URL: 'redis://127.0.0.1:6379' })).toMatch(/REDIS_URL is set but DATABASE_URL is not/);
  });

  it('refuses DATABASE_URL without REDIS_URL, naming both, unless CROSSDOCK_SINGLE_INSTANCE=true says there is one instance', () => {
    const refused = message({ DATABASE_URL: PG });
    expect(refused).toMatch(/DATABASE_URL is set but REDIS_URL is not/);
    expect(refused).toMatch(/CROSSDOCK_SINGLE_INSTANCE=true/);
    expect(refused).not.toContain('pw-not-shown-1234');
    const single = loadConfig({ DATABASE_URL: PG, CROSSDOCK_SINGLE_INSTANCE: 'true' });
    expect(single.records).toMatchObject({ database: { engine: 'postgres' }, singleInstance: true });
    expect(single.redis).toBeUndefined();
  });

  it('validates the variables, naming them and never echoing the URL', () => {
    for (const [name, value] of [
      ['DATABASE_URL', 'mysql://u:pw-not-shown-1234@h/db'],
      ['DATABASE_POOL_MAX', '0'],
      ['DATABASE_CONNECT_TIMEOUT_MS', 'soon'],
      ['DATABASE_QUERY_TIMEOUT_MS', '10'],
      ['CROSSDOCK_SINGLE_INSTANCE', 'maybe'],
    ] as const) {
      const text = message({ REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: PG, [name]: value });
      expect(text, name).toContain(name);
      expect(text).not.toContain('pw-not-shown-1234');
    }
  });
});

describe('IDEMPOTENCY_CLAIM_LEASE_MS', () => {
  it('defaults to a minute, takes 1 s to 1 h, and names the variable when out of range', () => {
    expect(loadConfig({}).orders.claimLeaseMs).toBe(60_000);
    expect(loadConfig({ IDEMPOTENCY_CLAIM_LEASE_MS: '3000' }).orders.claimLeaseMs).toBe(3_000);
    for (const bad of ['999', '3600001', 'soon']) expect(() => loadConfig({ IDEMPOTENCY_CLAIM_LEASE_MS: bad }), bad).toThrow(/IDEMPOTENCY_CLAIM_LEASE_MS/);
  });
});

describe('the ION connector (optional)', () => {
  it('is off beside a real supplier and store when not configured: its twin belongs to the embedded sandbox', () => {
    const c = loadConfig({
      CROSSDOCK_API_KEYS: 'ops:admin:aaaaaaaaaaaaaaaaaaaa',
      FINDITPARTS_BASE_URL: 'http://127.0.0.1:1/api/v1',
      FINDITPARTS_API_KEY: 'k',
      BIGCOMMERCE_API_URL: 'http://127.0.0.1:2/stores/abc',
      BIGCOMMERCE_ACCESS_TOKEN: 't',
    });
    expect(c.connectors.find((s) => s.name === 'ion')?.plan).toMatchObject({ kind: 'off', reason: expect.stringMatching(/not configured/) });
  });

  it('is not required in production', () => {
    const c = loadConfig({
      CROSSDOCK_MODE: 'production',
      CROSSDOCK_API_KEYS: 'ops:admin:aaaaaaaaaaaaaaaaaaaa',
      FINDITPARTS_BASE_URL: 'http://127.0.0.1:1/api/v1',
      FINDITPARTS_API_KEY: 'k',
      BIGCOMMERCE_API_URL: 'http://127.0.0.1:2/stores/abc',
      BIGCOMMERCE_ACCESS_TOKEN: 't',
    });
    expect(c.connectors.find((s) => s.name === 'ion')?.plan.kind).toBe('off');
  });
});

describe('the TikTok connector (optional, no credentials)', () => {
  const real = {
    CROSSDOCK_API_KEYS: 'ops:admin:aaaaaaaaaaaaaaaaaaaa',
    FINDITPARTS_BASE_URL: 'http://127.0.0.1:1/api/v1',
    FINDITPARTS_API_KEY: 'k',
    BIGCOMMERCE_API_URL: 'http://127.0.0.1:2/stores/abc',
    BIGCOMMERCE_ACCESS_TOKEN: 't',
  };
  it("runs against TikTok's own oEmbed beside real upstreams, and in production, when TIKTOK_OEMBED_URL is not set", () => {
    for (const env of [real, { ...real, CROSSDOCK_MODE: 'production' }]) {
      expect(loadConfig(env).connectors.find((s) => s.name === 'tiktok')?.plan.kind).toBe('configured');
    }
  });

  it('refuses TIKTOK_CONNECT_TO in production (it would send every TikTok name to that address), naming the variable', () => {
    expect(() => loadConfig({ ...real, CROSSDOCK_MODE: 'production', TIKTOK_CONNECT_TO: 'http://127.0.0.1:4105' })).toThrow(/TIKTOK_CONNECT_TO/);
  });
});
