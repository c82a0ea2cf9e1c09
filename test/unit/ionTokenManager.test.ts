/**
 * The ION token manager (src/connectors/ion/tokenManager.ts) against a fake
 * authorization server: single-flight however many callers wait, one grant
 * for two instances sharing the vault and the leases, a 401 for a token
 * already replaced costs nothing, and the refresh grant falls back to the
 * password grant when its refresh token is refused.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createLocalLeases } from '../../src/storage/leases.js';
import { UpstreamError } from '../../src/upstreams/upstreamError.js';
import type { SharedTokenStore } from '../../src/connectors/ion/sharedToken.js';
import type { IonToken, TokenEndpoint } from '../../src/connectors/ion/tokenEndpoint.js';
import { createIonTokens, type IonTokens } from '../../src/connectors/ion/tokenManager.js';

function fakeEndpoint(lifetimeMs: number, now: () => number) {
  const calls: string[] = [];
  let n = 0;
  const state = { refuseRefresh: false };
  const issue = (refresh?: string): IonToken => ({ accessToken: `access-${++n}`, refreshToken: refresh ?? `refresh-${n}`, obtainedAt: now(), expiresAt: now() + lifetimeMs });
  const endpoint: TokenEndpoint = {
    async password() {
      calls.push('password');
      await new Promise((r) => setTimeout(r, 20));
      return issue();
    },
    async refresh(rt) {
      calls.push('refresh');
      await new Promise((r) => setTimeout(r, 20));
      if (state.refuseRefresh) throw new UpstreamError('rejected', 'ion-auth', 'invalid_grant', { status: 400 });
      return issue(rt);
    },
    canRevoke: true,
    async revoke() {
      calls.push('revoke');
    },
  };
  return { endpoint, calls, state };
}

function memoryStore(): SharedTokenStore {
  let held: IonToken | undefined;
  return {
    read: async () => held,
    write: async (t) => {
      held = t;
    },
    remove: async () => {
      held = undefined;
    },
  };
}

function manager(endpoint: TokenEndpoint, store: SharedTokenStore, leases = createLocalLeases(), now = Date.now, fleet = false): IonTokens {
  return createIonTokens({
    connector: 'ion',
    endpoint,
    store,
    leases,
    lockName: 'ion-token:test',
    fleet,
    refreshAheadMs: 300_000,
    checkIntervalMs: 3_600_000,
    metrics: createMetrics(),
    logger: createLogger({ level: 'silent' }),
    registerSecret: () => undefined,
    now,
    pollMs: 10,
  });
}

describe('the ION token manager', () => {
  it('one refresh however many refused calls wait; a 401 for a token already replaced costs nothing', async () => {
    const fake = fakeEndpoint(3_600_000, Date.now);
    const tokens = manager(fake.endpoint, memoryStore());
    await tokens.start();
    const first = await tokens.authorization();
    expect(fake.calls).toEqual(['password']);
    await Promise.all(Array.from({ length: 50 }, () => tokens.unauthorized(first)));
    expect(fake.calls).toEqual(['password', 'refresh']);
    const second = await tokens.authorization();
    expect(second).not.toBe(first);
    // Late 401s of calls that carried the first token: the retry simply uses the second.
    await Promise.all(Array.from({ length: 10 }, () => tokens.unauthorized(first)));
    expect(fake.calls).toEqual(['password', 'refresh']);
    await tokens.close();
  });

  it('two instances sharing the vault and the lock: one grant per window between them', async () => {
    let clock = 1_000_000;
    const now = () => clock;
    const fake = fakeEndpoint(10_000, now);
    const store = memoryStore();
    const leases = createLocalLeases(now);
    const a = manager(fake.endpoint, store, leases, now, true);
    const b = manager(fake.endpoint, store, leases, now, true);
    await a.start();
    await b.start();
    expect(fake.calls).toEqual(['password']);
    expect(await b.authorization()).toBe(await a.authorization());
    // Into the refresh window (half of 10 s: 5 s before expiry): both see it due at once.
    clock += 6_000;
    const before = await a.authorization();
    await b.authorization();
    await new Promise((r) => setTimeout(r, 150));
    expect(fake.calls).toEqual(['password', 'refresh']);
    const [ta, tb] = [await a.authorization(), await b.authorization()];
    expect(ta).toBe(tb);
    expect(ta).not.toBe(before);
    await Promise.all([a.close(), b.close()]);
    // Shared: neither revokes the fleet's token on shutdown.
    expect(fake.calls).not.toContain('revoke');
  });

  it('a refused refresh token falls back to the password grant; shutdown revokes an unshared token', async () => {
    const fake = fakeEndpoint(3_600_000, Date.now);
    const tokens = manager(fake.endpoint, memoryStore());
    await tokens.start();
    fake.state.refuseRefresh = true;
    await tokens.unauthorized(await tokens.authorization());
    expect(fake.calls).toEqual(['password', 'refresh', 'password']);
    expect(tokens.health().status).toBe('healthy');
    await tokens.close();
    expect(fake.calls.filter((c) => c === 'revoke')).toHaveLength(2);
  });

  it('health: degraded while a failed refresh leaves a living token, unhealthy without one', async () => {
    let clock = 5_000_000;
    const now = () => clock;
    const fake = fakeEndpoint(10_000, now);
    const tokens = manager(fake.endpoint, memoryStore(), createLocalLeases(now), now);
    await tokens.start();
    expect(tokens.health().status).toBe('healthy');
    const down = async (): Promise<never> => {
      throw new UpstreamError('unavailable', 'ion-auth', 'down');
    };
    fake.endpoint.refresh = down;
    fake.endpoint.password = down;
    clock += 6_000;
    // Due: the read still gets the living token, and the refresh behind it fails.
    expect(await tokens.authorization()).toMatch(/^Bearer access-1$/);
    await new Promise((r) => setTimeout(r, 20));
    expect(tokens.health()).toMatchObject({ status: 'degraded', reason: expect.stringMatching(/refresh failed/) });
    clock += 5_000;
    expect(tokens.health()).toMatchObject({ status: 'unhealthy', reason: expect.stringMatching(/no valid ION token/) });
    await expect(tokens.authorization()).rejects.toMatchObject({ kind: 'unavailable' });
    await tokens.close();
  });
});
