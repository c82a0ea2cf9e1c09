/**
 * `crossdock migrate`: brings the record database this environment points
 * at — PostgreSQL at DATABASE_URL, else the SQLite file in
 * CROSSDOCK_DATA_DIR — to this version's schema, and prints what it applied.
 * The gateway does the same at start; this is for running it ahead of a
 * deploy (or checking where a database is). Reads only the record
 * variables: the rest of the gateway's configuration is not needed here.
 * Exit codes: 0 done (or nothing to do), 1 a migration failed (its
 * transaction rolled back), 2 a variable is invalid, 3 the database cannot
 * be reached. The URL's credentials are never printed.
 */
import { z } from 'zod';
import { migrateRecords } from '../records/migrate.js';
import { createRecordDatabase, type RecordDatabase } from '../records/recordDatabase.js';
import { DATA_DIR_VARIABLE, recordDatabaseOf, RECORDS_ENV, type RecordsConfig } from '../records/recordsConfig.js';
import { isStoreUnavailable } from '../storage/storeUnavailable.js';

const ENV = z.object({ ...RECORDS_ENV, CROSSDOCK_DATA_DIR: DATA_DIR_VARIABLE });

function where(database: RecordsConfig['database']): string {
  if (database.engine === 'sqlite') return `SQLite ${database.path}`;
  const u = new URL(database.url);
  return `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
}

export async function runMigrate(env: NodeJS.ProcessEnv, out: (line: string) => void, err: (line: string) => void): Promise<number> {
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
    return 0;
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
