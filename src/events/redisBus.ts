/**
 * The Bus across instances: Redis pub/sub. `emit` delivers to this
 * instance's listeners at once and publishes to the channel; every other
 * instance receives it and delivers it to its own listeners (its own
 * messages are recognised by the instance id and not delivered twice). So a
 * subscriber connected to instance B sees a job that instance A runs.
 *
 * Pub/sub is fire-and-forget: an instance disconnected from Redis misses
 * messages meanwhile. That is acceptable for progress events because each
 * carries the whole snapshot (the next one supersedes a lost one) and a
 * subscription starts from the store's current record; node-redis
 * resubscribes by itself after a reconnect.
 */
import type { Logger } from '../observability/logger.js';
import type { RedisConnection } from '../redis/connection.js';
import { createEmitterBus, type Bus } from './emitterBus.js';

export interface RedisBusOptions {
  redis: RedisConnection;
  /** Full channel name, e.g. `crossdock:events:jobs`. */
  channel: string;
  /** This instance's id: its own messages come back from Redis and are skipped. */
  instanceId: string;
  logger: Logger;
}

interface Envelope<T> {
  /** Origin instance. */
  o: string;
  v: T;
}

export async function createRedisBus<T extends { id: string }>(options: RedisBusOptions): Promise<Bus<T>> {
  const { redis, channel, instanceId, logger } = options;
  const local = createEmitterBus<T>();
  let publishFailures = 0;
  const onMessage = (message: string) => {
    try {
      const env = JSON.parse(message) as Envelope<T>;
      if (env.o !== instanceId) local.emit(env.v);
    } catch (err) {
      logger.warn({ channel, err: err instanceof Error ? err.message : String(err) }, 'unreadable bus message dropped');
    }
  };
  const unlisten = await redis.listen(channel, onMessage);
  return {
    emit(value) {
      local.emit(value);
      const env: Envelope<T> = { o: instanceId, v: value };
      redis.client.publish(channel, JSON.stringify(env)).then(
        () => {
          publishFailures = 0;
        },
        (err: unknown) => {
          if (publishFailures++ === 0) logger.warn({ channel, err: err instanceof Error ? err.message : String(err) }, 'bus publish failed; other instances miss events until redis is back');
        },
      );
    },
    subscribe: (id, listener) => local.subscribe(id, listener),
    close() {
      local.close();
      unlisten();
    },
  };
}
