/**
 * Record databases for tests, on either engine: a fresh SQLite file in a
 * temp directory, or a fresh database on a real PostgreSQL started on first
 * use (postgresServer.ts) and shared by the file's tests. Migrated to the
 * latest version unless asked not to. `close()` (afterAll) closes them all,
 * stops the server and removes the files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateRecords } from '../../src/records/migrate.js';
import { createRecordDatabase, type PostgresRecordOptions, type RecordDatabase } from '../../src/records/recordDatabase.js';
import type { RecordEngine } from '../../src/records/engine.js';
import { postgresServerAvailable, startPostgresServer, type PostgresServer } from './postgresServer.js';

export const RECORD_ENGINES: readonly RecordEngine[] = ['sqlite', 'postgres'];

/** Whether the engine's tests can run here (PostgreSQL needs Debian's server binaries; preflight says how). */
export const engineAvailable = (engine: RecordEngine): boolean => engine === 'sqlite' || postgresServerAvailable();

export interface RecordEngines {
  /** A fresh record database. */
  fresh(engine: RecordEngine, options?: { migrate?: boolean; postgres?: Partial<Omit<PostgresRecordOptions, 'engine' | 'url'>> }): Promise<RecordDatabase>;
  /** The file of a fresh SQLite database (its -wal and -shm files sit next to it). */
  pathOf(records: RecordDatabase): string | undefined;
  /** The PostgreSQL server (started by the first fresh('postgres')). */
  postgres(): Promise<PostgresServer>;
  close(): Promise<void>;
}

export function recordEngines(): RecordEngines {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-records-'));
  const opened: RecordDatabase[] = [];
  let server: Promise<PostgresServer> | undefined;
  const paths = new Map<RecordDatabase, string>();
  let n = 0;
  const postgres = () => (server ??= startPostgresServer());
  return {
    postgres,
    pathOf: (records) => paths.get(records),
    async fresh(engine, options = {}) {
      const path = join(dir, `records-${n++}.db`);
      const db =
        engine === 'sqlite'
          ? await createRecordDatabase({ engine: 'sqlite', path })
          : await createRecordDatabase({ engine: 'postgres', url: await (await postgres()).createDatabase(), ...options.postgres });
      if (engine === 'sqlite') paths.set(db, path);
      opened.push(db);
      if (options.migrate ?? true) await migrateRecords(db);
      return db;
    },
    async close() {
      await Promise.allSettled(opened.map((db) => db.close()));
      if (server) await (await server).destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
