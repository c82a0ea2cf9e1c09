/**
 * createStrategies(config): the embedded strategies by default, the Redis
 * ones when REDIS_URL is set (DESIGN.md, principle 4); records on SQLite, or
 * on PostgreSQL with DATABASE_URL, in both. The Redis module is imported
 * dynamically, so no Redis client is loaded unless configured (nor `pg`:
 * src/records/recordDatabase.ts imports it only for DATABASE_URL).
 */
import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import { createEmbeddedStrategies } from './embedded.js';
import type { Strategies } from './types.js';

export type { Strategies, StrategyHealth } from './types.js';

export async function createStrategies(config: Config, logger: Logger): Promise<Strategies> {
  if (!config.redis) return createEmbeddedStrategies(config, logger);
  const { createRedisStrategies } = await import('./redis.js');
  return createRedisStrategies({ ...config, redis: config.redis }, logger);
}
