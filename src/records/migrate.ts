/**
 * Brings the record tables to the latest version (Kysely's Migrator over
 * the static list in migrations/index.ts): at start by the strategies, and
 * by `crossdock migrate`. Kysely records what ran in `kysely_migration` and
 * serialises concurrent runs (PostgreSQL: an advisory lock, so instances
 * starting together migrate once; SQLite: the write lock).
 */
import { Migrator, type Migration } from 'kysely';
import { RECORD_MIGRATIONS } from './migrations/index.js';
import type { RecordDatabase } from './recordDatabase.js';

export interface MigrationOutcome {
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** The version the tables are at now (null: none applied yet). */
  current: string | null;
  /** Every version this build knows, in order. */
  known: string[];
}

export const LATEST_MIGRATION = RECORD_MIGRATIONS[RECORD_MIGRATIONS.length - 1]![0];

function migratorFor(records: RecordDatabase): Migrator {
  const migrations: Record<string, Migration> = {};
  for (const [name, m] of RECORD_MIGRATIONS) migrations[name] = { up: (db) => m.up(db, records.engine) };
  return new Migrator({ db: records.db, provider: { getMigrations: async () => migrations } });
}

/**
 * Applies every migration after the current one, up to `to` (default: the
 * latest). Forward only: a `to` older than the current version is refused.
 * Throws the first failure (its migration's transaction rolled back).
 */
export async function migrateRecords(records: RecordDatabase, options: { to?: string } = {}): Promise<MigrationOutcome> {
  const migrator = migratorFor(records);
  const known = RECORD_MIGRATIONS.map(([name]) => name);
  if (options.to !== undefined && !known.includes(options.to)) throw new Error(`no record migration named ${options.to} (known: ${known.join(', ')})`);
  if (options.to !== undefined) {
    const done = (await migrator.getMigrations()).filter((m) => m.executedAt !== undefined).map((m) => m.name);
    if (done.some((name) => name > (options.to as string))) throw new Error(`the records are past ${options.to}; migrations only go forward`);
  }
  const { error, results } = options.to === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(options.to);
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw failed && error instanceof Error ? Object.assign(error, { message: `record migration ${failed} failed: ${error.message}` }) : error;
  }
  const applied = (results ?? []).filter((r) => r.status === 'Success' && r.direction === 'Up').map((r) => r.migrationName);
  return { applied, current: await currentMigration(records), known };
}

/** The last migration applied, or null. */
export async function currentMigration(records: RecordDatabase): Promise<string | null> {
  const done = (await migratorFor(records).getMigrations()).filter((m) => m.executedAt !== undefined);
  return done.at(-1)?.name ?? null;
}

