/**
 * The ION access token over its whole life (upstreams.md, "Token"; the seed
 * refreshes 5 minutes before expiry, checked every 60 s, and once on a 401):
 *
 * - **Ahead of expiry.** A token is due `refreshAhead` before it expires —
 *   at most half its lifetime, so a short-lived token (a tenant set to
 *   minutes, the sandbox's seconds) is not refreshed on every check. A timer
 *   checks every `checkInterval`, and never sleeps past the moment the token
 *   falls due. A read that finds the token due still uses it (it lives) and
 *   starts the refresh behind it; only a read that finds no live token waits.
 * - **Once on a 401.** The shared HTTP client calls back with the token the
 *   refused call sent: if the token was replaced meanwhile, the retry simply
 *   uses the new one; otherwise one refresh for everyone waiting.
 * - **Single-flight.** However many reads wait, one refresh runs.
 * - **One refresh for the fleet.** The token lives in the sealed vault
 *   (sharedToken.ts; Redis with REDIS_URL). A refresh first reads it (another
 *   instance may already have a newer token), then takes a lease (a lock with
 *   a deadline) and reads again under it; an instance that finds the lease
 *   taken waits for the holder's token, and takes over if the holder dies
 *   (the lease expires).
 * - **The grant.** The refresh grant when a refresh token is at hand, the
 *   password grant when it is refused or absent.
 * - **Health.** Healthy while the last refresh succeeded; degraded when it
 *   failed but the token still lives; unhealthy when no token lives. A failed
 *   refresh is retried by the timer (1 s doubling, up to `checkInterval`),
 *   so health comes back by itself when the authorization server does.
 * - **Shutdown.** Revokes the token where the credentials name a revocation
 *   endpoint — unless instances share it (the others still use it).
 */
import type { Health } from '../connector.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { forgetSecret } from '../../observability/redact.js';
import type { Lease, Leases } from '../../storage/leases.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import type { SharedTokenStore } from './sharedToken.js';
import type { IonToken, TokenEndpoint } from './tokenEndpoint.js';

export interface IonTokensOptions {
  /** The connector's name: metrics label, `upstream` in errors. */
  connector: string;
  endpoint: TokenEndpoint;
  store: SharedTokenStore;
  leases: Leases;
  /** The lease's name, one per tenant and client. */
  lockName: string;
  /** Instances share the token (REDIS_URL): never revoke it on shutdown. */
  fleet: boolean;
  /** How long before expiry a token is refreshed (at most half its lifetime). */
  refreshAheadMs: number;
  /** How often the token is checked. */
  checkIntervalMs: number;
  metrics: Metrics;
  logger: Logger;
  registerSecret(value: string | undefined): void;
  /** @default Date.now */
  now?: () => number;
  /** The lock's deadline: how long one refresh may hold it. @default 15000 */
  lockTtlMs?: number;
  /** How often an instance waiting for another's refresh looks at the vault. @default 200 */
  pollMs?: number;
}

export interface IonTokens {
  /** `Bearer …` for the next call; waits for a refresh only when no token lives. */
  authorization(): Promise<string>;
  /** A call was refused (401) with this Authorization header: refresh once, unless that token was already replaced. */
  unauthorized(refusedAuthorization: string | undefined): Promise<void>;
  health(): Health;
  /** Gets the first token (or adopts the fleet's) and starts the checks. Never throws. */
  start(): Promise<void>;
  close(): Promise<void>;
}

type Reason = 'due' | 'expired' | 'unauthorized';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export function createIonTokens(options: IonTokensOptions): IonTokens {
  const { connector, endpoint, store, leases, metrics, logger } = options;
  const now = options.now ?? Date.now;
  const lockTtlMs = options.lockTtlMs ?? 15_000;
  const pollMs = options.pollMs ?? 200;
  let token: IonToken | undefined;
  let inFlight: Promise<IonToken> | undefined;
  let lastFailure: { at: number; message: string } | undefined;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  /** Secrets this manager registered for redaction: the current token's and the one before (a call may still carry it). */
  let registered: string[] = [];

  const lifetime = (t: IonToken) => Math.max(0, t.expiresAt - t.obtainedAt);
  const dueAt = (t: IonToken) => t.expiresAt - Math.min(options.refreshAheadMs, lifetime(t) / 2);
  /** Alive with a margin for the trip to the gateway (a tenth of its life, at most a second). */
  const alive = (t: IonToken | undefined, at = now()): t is IonToken => t !== undefined && at < t.expiresAt - Math.min(1_000, lifetime(t) / 10);

  /** A token that serves better than the one held: live, not the refused one, not ours, not due yet. */
  function usable(t: IonToken | undefined, refused: string | undefined): t is IonToken {
    if (!alive(t)) return false;
    if (refused !== undefined && t.accessToken === refused) return false;
    if (token && t.accessToken === token.accessToken) return false;
    return now() < dueAt(t);
  }

  function adopt(t: IonToken): void {
    const previous = token;
    token = t;
    options.registerSecret(t.accessToken);
    options.registerSecret(t.refreshToken);
    const keep = new Set([t.accessToken, t.refreshToken, previous?.accessToken, previous?.refreshToken].filter((s): s is string => Boolean(s)));
    for (const s of registered) if (!keep.has(s)) forgetSecret(s);
    registered = [...keep];
  }

  async function acquireLock(): Promise<Lease | null | 'unreachable'> {
    try {
      return await leases.acquire(options.lockName, lockTtlMs);
    } catch (err) {
      // Without the lock the refresh still happens: a second refresh costs less than no token.
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'ION token lock unreachable; refreshing without it');
      return 'unreachable';
    }
  }

  async function grant(): Promise<IonToken> {
    const refreshToken = token?.refreshToken;
    if (refreshToken) {
      try {
        return await endpoint.refresh(refreshToken);
      } catch (err) {
        // Refused (revoked, expired): the password grant starts afresh. Anything else (down,
        // throttled, bad client) would fail the password grant the same way.
        if (!(err instanceof UpstreamError && err.kind === 'rejected')) throw err;
        logger.info('ION refresh token refused; using the password grant');
      }
    }
    return endpoint.password();
  }

  /** A token for the fleet: adopted from the vault when another instance has a better one, else granted under the lock. */
  async function obtain(refused: string | undefined): Promise<{ token: IonToken; granted: boolean }> {
    const stored = await store.read();
    if (usable(stored, refused)) return { token: stored, granted: false };
    let lease = await acquireLock();
    if (lease === null) {
      // Another instance is refreshing: its token arrives in the vault before its lock's deadline.
      const deadline = now() + lockTtlMs;
      while (lease === null && now() < deadline && !closed) {
        await sleep(pollMs);
        const theirs = await store.read();
        if (usable(theirs, refused)) return { token: theirs, granted: false };
        lease = await acquireLock();
      }
      lease ??= 'unreachable';
    }
    try {
      if (lease !== 'unreachable') {
        // The holder before us may have stored its token just before we took the lock.
        const again = await store.read();
        if (usable(again, refused)) return { token: again, granted: false };
      }
      const fresh = await grant();
      await store.write(fresh).catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not share the ION token (the vault is unreachable); this instance keeps it'));
      return { token: fresh, granted: true };
    } finally {
      if (lease !== 'unreachable') await lease.release();
    }
  }

  function refresh(reason: Reason, refused?: string): Promise<IonToken> {
    inFlight ??= (async () => {
      try {
        const got = await obtain(refused);
        adopt(got.token);
        if (got.granted) metrics.tokenRefreshes.inc({ connector, success: 'true' });
        if (lastFailure) logger.info({ reason }, 'ION token refresh works again');
        lastFailure = undefined;
        failures = 0;
        return got.token;
      } catch (err) {
        failures++;
        const message = err instanceof Error ? err.message : String(err);
        lastFailure = { at: now(), message };
        metrics.tokenRefreshes.inc({ connector, success: 'false' });
        logger.warn({ reason, err: message, tokenLives: alive(token) }, 'ION token refresh failed');
        throw new UpstreamError(err instanceof UpstreamError && err.kind === 'rateLimited' ? 'rateLimited' : 'unavailable', connector, 'no valid access token: the token refresh failed');
      }
    })().finally(() => {
      inFlight = undefined;
      schedule();
    });
    return inFlight;
  }

  /** After a failure: 1 s doubling, at most the check interval. */
  const backoffMs = () => Math.min(options.checkIntervalMs, 1_000 * 2 ** Math.min(Math.max(0, failures - 1), 10));

  function schedule(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (closed) return;
    const t = token;
    const delay = lastFailure ? backoffMs() : t ? Math.min(options.checkIntervalMs, Math.max(0, dueAt(t) - now())) : options.checkIntervalMs;
    timer = setTimeout(check, Math.max(20, delay));
    timer.unref();
  }

  function check(): void {
    timer = undefined;
    if (closed || inFlight) return;
    const t = token;
    if (!t || now() >= dueAt(t)) refresh(alive(t) ? 'due' : 'expired').catch(() => undefined);
    else schedule();
  }

  return {
    async authorization() {
      const t = token;
      if (alive(t)) {
        if (now() >= dueAt(t) && !inFlight && !lastFailure) refresh('due').catch(() => undefined);
        return `Bearer ${t.accessToken}`;
      }
      // No live token. Just failed: answer at once rather than ask again per read (the timer retries).
      if (lastFailure && !inFlight && now() - lastFailure.at < backoffMs()) {
        throw new UpstreamError('unavailable', connector, 'no valid access token: the token refresh is failing');
      }
      return `Bearer ${(await refresh('expired')).accessToken}`;
    },

    async unauthorized(refusedAuthorization) {
      const refused = refusedAuthorization?.replace(/^Bearer\s+/i, '');
      // Replaced while the refused call was on its way: the retry uses the new one.
      if (token && refused !== undefined && token.accessToken !== refused && alive(token)) return;
      await refresh('unauthorized', refused);
    },

    health() {
      const t = token;
      const at = now();
      if (!t || at >= t.expiresAt) {
        return {
          status: 'unhealthy',
          reason: lastFailure ? `no valid ION token: the token refresh failed (${lastFailure.message})` : t ? 'the ION token expired' : 'no ION token yet',
          detail: { token: t ? 'expired' : 'none' },
        };
      }
      const detail = { token: { expiresInSeconds: Math.round((t.expiresAt - at) / 1000), refreshInSeconds: Math.max(0, Math.round((dueAt(t) - at) / 1000)), shared: options.fleet } };
      if (lastFailure) {
        return { status: 'degraded', reason: `the ION token refresh failed (${lastFailure.message}); the current token expires in ${detail.token.expiresInSeconds} s`, detail };
      }
      return { status: 'healthy', detail };
    },

    async start() {
      await refresh('expired').catch(() => undefined);
    },

    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const t = token;
      if (!t || options.fleet || !endpoint.canRevoke) return;
      // RFC 7009: revoking the refresh token also ends the access tokens issued from it (where the
      // server supports that); the access token is revoked too for servers that do not.
      try {
        if (t.refreshToken) await endpoint.revoke(t.refreshToken, 'refresh_token');
        await endpoint.revoke(t.accessToken, 'access_token');
        await store.remove();
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not revoke the ION token on shutdown');
      }
    },
  };
}
