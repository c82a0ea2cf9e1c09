/**
 * `crossdock migrate`: brings the record database this environment points
 * at — PostgreSQL at DATABASE_URL, else the SQLite file in
 * CROSSDOCK_DATA_DIR — to this version's schema, and prints what it applied.
 * The gateway does the same at start; this is for running it ahead of a
 * deploy (or checking where a database is). Reads only the record
 * variables: the rest of the gateway's configuration is not needed here.
 * With `--from-redis URL` it then copies the records the last release kept
 * in Redis into the database (redisRecords.ts; README, "Upgrading from the
 * Redis records"). Exit codes: 0 done (or nothing to do), 1 a migration or
 * the copy failed (its transaction rolled back), 2 a variable is invalid,
 * 3 the database or Redis cannot be reached. No URL's credentials are ever
 * printed.
 */
import { z } from 'zod';
import { migrateRecords } from '../records/migrate.js';
import { createRecordDatabase, type RecordDatabase } from '../records/recordDatabase.js';
import { DATA_DIR_VARIABLE, recordDatabaseOf, RECORDS_ENV, type RecordsConfig } from '../records/recordsConfig.js';
import { isStoreUnavailable } from '../storage/storeUnavailable.js';
import { REDIS_ENV } from '../strategies/redisConfig.js';

const ENV = z.object({ ...RECORDS_ENV, CROSSDOCK_DATA_DIR: DATA_DIR_VARIABLE, REDIS_KEY_PREFIX: REDIS_ENV.REDIS_KEY_PREFIX });

function where(database: RecordsConfig['database']): string {
  if (database.engine === 'sqlite') return `SQLite ${database.path}`;
  const u = new URL(database.url);
  return `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
}

const hostOf = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}${u.port ? `:${u.port}` : ''}`;
};

/** Copies the Redis records; exit 3 when Redis cannot be reached. */
async function copyFromRedis(url: string, prefix: string, records: RecordDatabase, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const { copyRedisRecords, redisForCopy } = await import('./redisRecords.js');
  const redis = redisForCopy(url);
  try {
    await redis.connect();
  } catch (e) {
    err(`crossdock: cannot reach Redis ${hostOf(url)}: ${e instanceof Error ? e.message.replace(url, hostOf(url)) : String(e)}; nothing was copied`);
    return 3;
  }
  try {
    const counts = await copyRedisRecords(redis, prefix, records);
    out(`Copied from Redis ${hostOf(url)} (keys under ${prefix}):`);
    for (const c of counts) out(`  ${c.what} ${c.found} (${c.copied} new)`);
    out('Redis was only read: its keys are as they were.');
    return 0;
  } finally {
    await redis.close().catch(() => undefined);
  }
}

export async function runMigrate(env: NodeJS.ProcessEnv, out: (line: string) => void, err: (line: string) => void, fromRedis?: string): Promise<number> {
  const parsed = ENV.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) err(`crossdock: ${issue.path.join('.')}: ${issue.message}`);
    return 2;
  }
  const database = recordDatabaseOf(parsed.data);
  out(`Migrating the records in ${where(database)}.`);
  let records: RecordDatabase | undefined;
  try {
    records = await createRecordDatabase(database);
    const { applied, current } = await migrateRecords(records);
    for (const name of applied) out(`applied ${name}`);
    out(applied.length ? `Records at ${current} (the latest).` : `Nothing to apply: records at ${current} (the latest).`);
    return fromRedis ? await copyFromRedis(fromRedis, parsed.data.REDIS_KEY_PREFIX, records, out, err) : 0;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (isStoreUnavailable(e)) {
      const cause = e.cause instanceof Error ? e.cause.message : undefined;
      err(`crossdock: cannot reach ${where(database)}${cause ? `: ${cause}` : ''}; nothing was changed`);
      return 3;
    }
    err(`crossdock: ${message}`);
    return 1;
  } finally {
    await records?.close();
  }
}
