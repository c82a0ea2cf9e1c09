/**
 * Where the records live (README, "Configuration"): the data dir's SQLite
 * file by default, PostgreSQL when DATABASE_URL is set. config.ts merges
 * `RECORDS_ENV` into its environment schema and calls `recordsConfig()`.
 *
 * The start-up rule for several instances: they are one gateway only if
 * they share both the records (PostgreSQL) and what coordinates them
 * (Redis: leases, limits, the vendor gate, events). So REDIS_URL without
 * DATABASE_URL is an error — each instance would keep its own records — and
 * DATABASE_URL without REDIS_URL is one only for a deployment that says it
 * runs one instance (CROSSDOCK_SINGLE_INSTANCE=true): leases, limits and
 * the cache are per process then, and a second instance would run the same
 * jobs twice. Never a silent single-instance fallback.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { urlVariable, type ParsedEnv } from '../env/variables.js';
import type { PostgresRecordOptions, SqliteRecordOptions } from './recordDatabase.js';

export interface RecordsConfig {
  /** The engine and its settings: SQLite at `<CROSSDOCK_DATA_DIR>/crossdock.db`, or PostgreSQL at DATABASE_URL. */
  database: SqliteRecordOptions | Omit<PostgresRecordOptions, 'logger'>;
  /** CROSSDOCK_SINGLE_INSTANCE: PostgreSQL records without Redis, for one instance only. */
  singleInstance: boolean;
}

const databaseUrl = urlVariable(['postgres:', 'postgresql:'], 'must be a postgres:// or postgresql:// URL', (_u, raw) => raw);

/** CROSSDOCK_DATA_DIR: where the embedded default's SQLite file lives. */
export const DATA_DIR_VARIABLE = z.string().min(1).default('./data');

export const RECORDS_ENV = {
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  CROSSDOCK_SINGLE_INSTANCE: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default('false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes'),
};

type RecordsEnv = ParsedEnv<typeof RECORDS_ENV> & { CROSSDOCK_DATA_DIR: string };

/** The engine and its settings, from the environment alone (what `crossdock migrate` needs). */
export function recordDatabaseOf(e: RecordsEnv): RecordsConfig['database'] {
  return e.DATABASE_URL
    ? { engine: 'postgres', url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX, connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS, queryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_MS }
    : { engine: 'sqlite', path: join(e.CROSSDOCK_DATA_DIR, 'crossdock.db') };
}

export function recordsConfig(e: RecordsEnv & { REDIS_URL?: string }, problems: string[]): RecordsConfig {
  if (e.REDIS_URL && !e.DATABASE_URL) {
    problems.push(
      'REDIS_URL is set but DATABASE_URL is not: instances sharing Redis must share their records (jobs, audit log, store tokens) in one PostgreSQL; set DATABASE_URL=postgres://… as well',
    );
  }
  if (e.DATABASE_URL && !e.REDIS_URL && !e.CROSSDOCK_SINGLE_INSTANCE) {
    problems.push(
      'DATABASE_URL is set but REDIS_URL is not: without Redis, leases, rate limits and the cache are per process, so a second instance would run the same jobs twice; set REDIS_URL for several instances, or CROSSDOCK_SINGLE_INSTANCE=true to run exactly one',
    );
  }
  return { database: recordDatabaseOf(e), singleInstance: e.CROSSDOCK_SINGLE_INSTANCE };
}
