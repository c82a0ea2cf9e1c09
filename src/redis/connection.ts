/**
 * The gateway's Redis connections (node-redis, @redis/client — the client
 * @keyv/redis is built on, so one client library serves every strategy):
 * one for commands, one for pub/sub (a subscribed connection can run nothing
 * else). Loaded only when REDIS_URL is set (src/strategies/index.ts imports
 * this through src/strategies/redis.ts, dynamically).
 *
 * Failure behaviour, chosen so an outage degrades instead of hanging:
 * - commands issued while disconnected fail at once (`disableOfflineQueue`),
 *   and every store command has a deadline, so nothing waits on a dead Redis;
 * - the client reconnects by itself, forever, at most a second apart, so the
 *   gateway recovers without a restart when Redis returns;
 * - connection errors are logged once per outage, not once per retry.
 */
import { createClient } from '@redis/client';
import type { Logger } from '../observability/logger.js';
import { StoreUnavailableError } from '../storage/storeUnavailable.js';

function newClient(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    pingInterval: 5_000,
    socket: {
      connectTimeout: 2_000,
      // Forever, at most a second apart: recovery needs no restart.
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 5), 1_000),
    },
  });
}

export type RedisClient = ReturnType<typeof newClient>;

export interface RedisConnection {
  client: RedisClient;
  subscriber: RedisClient;
  /** Both connections are up. */
  isReady(): boolean;
  /** PING within the deadline. Never throws. */
  ping(timeoutMs: number): Promise<{ ok: boolean; latencyMs: number | null }>;
  /**
   * Runs one store operation: a connection failure, a timeout or a Redis that
   * refuses writes (OOM under noeviction, LOADING, READONLY, MISCONF) becomes
   * StoreUnavailableError; any other error (a bug) passes through.
   */
  run<T>(operation: string, fn: (client: RedisClient) => Promise<T>, timeoutMs?: number): Promise<T>;
  /**
   * Delivers the channel's messages to `onMessage`. Subscribes now, or as
   * soon as Redis is reachable (node-redis resubscribes after reconnects).
   * Returns the unsubscribe.
   */
  listen(channel: string, onMessage: (message: string) => void): Promise<() => void>;
  close(): Promise<void>;
}

export interface RedisConnectionOptions {
  url: string;
  logger: Logger;
  /** Deadline of a store operation. @default 5000 */
  timeoutMs?: number;
  /** How long start-up waits for the first connection before going on degraded. @default 5000 */
  connectWaitMs?: number;
}

const UNAVAILABLE_REPLY = /^(OOM|LOADING|READONLY|MISCONF|MASTERDOWN|BUSY|NOREPLICAS|CLUSTERDOWN|TRYAGAIN)\b/;
const CONNECTION_ERRORS = new Set([
  'ClientOfflineError',
  'ClientClosedError',
  'SocketClosedUnexpectedlyError',
  'ConnectionTimeoutError',
  'SocketTimeoutError',
  'DisconnectsClientError',
  'ReconnectStrategyError',
  'AbortError',
  'TimeoutError',
]);

export function isConnectionFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (CONNECTION_ERRORS.has(err.constructor.name) || CONNECTION_ERRORS.has(err.name)) return true;
  if (UNAVAILABLE_REPLY.test(err.message)) return true;
  const code = (err as { code?: string }).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT';
}

class RedisTimeoutError extends Error {
  override name = 'TimeoutError';
}

export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(`${what}: no answer from Redis within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export async function createRedisConnection(options: RedisConnectionOptions): Promise<RedisConnection> {
  const { logger } = options;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const make = (role: string) => {
    const client = newClient(options.url);
    let down = false;
    client.on('error', (err: Error) => {
      if (down) return;
      down = true;
      logger.warn({ redis: role, err: err.message }, 'redis connection lost; reconnecting (reads fall through, limits use insurance)');
    });
    client.on('ready', () => {
      if (down) logger.info({ redis: role }, 'redis connection back');
      down = false;
    });
    return client;
  };
  const client = make('commands');
  const subscriber = make('pubsub');
  const connectWait = options.connectWaitMs ?? 5_000;
  const connected = await Promise.allSettled([withDeadline(client.connect(), connectWait, 'connect'), withDeadline(subscriber.connect(), connectWait, 'connect')]);
  if (connected.some((r) => r.status === 'rejected')) {
    logger.warn('redis unreachable at start; starting degraded and reconnecting in the background');
  }

  return {
    client,
    subscriber,
    isReady: () => client.isReady && subscriber.isReady,
    async ping(ms) {
      if (!client.isReady) return { ok: false, latencyMs: null };
      const started = performance.now();
      try {
        await withDeadline(client.ping(), ms, 'ping');
        return { ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
      } catch {
        return { ok: false, latencyMs: null };
      }
    },
    async run(operation, fn, ms = timeoutMs) {
      try {
        return await withDeadline(fn(client), ms, operation);
      } catch (err) {
        if (isConnectionFailure(err)) throw new StoreUnavailableError(operation, err);
        throw err;
      }
    },
    async listen(channel, onMessage) {
      let subscribed = false;
      const subscribe = () =>
        subscriber.subscribe(channel, onMessage).then(
          () => {
            subscribed = true;
          },
          () => undefined,
        );
      const onReady = () => {
        if (!subscribed) void subscribe();
      };
      subscriber.on('ready', onReady);
      await subscribe();
      return () => {
        subscriber.off('ready', onReady);
        if (subscribed) subscriber.unsubscribe(channel, onMessage).catch(() => undefined);
      };
    },
    async close() {
      await Promise.allSettled([client.isOpen ? client.close() : undefined, subscriber.isOpen ? subscriber.close() : undefined]);
      // A client still reconnecting is not open; destroy stops its retries.
      for (const c of [client, subscriber]) {
        try {
          if (c.isOpen) c.destroy();
        } catch {
          /* already closed */
        }
      }
    },
  };
}
