/**
 * A real PostgreSQL for one test file, as redisServer.ts does for Redis:
 * Debian's server binaries (`/usr/lib/postgresql/<version>/bin`: initdb,
 * postgres), a cluster made in a temp directory, an ephemeral
 * loopback port, the Unix socket in the temp directory too — never a system
 * service. PostgreSQL refuses to run as root, so when the tests run as root
 * the cluster belongs to, and the server runs as, the `postgres` system user
 * the Debian package creates; otherwise it runs as the current user.
 *
 * `stop()` then `start()` reuses the port and the data, so a test can take
 * PostgreSQL away and bring it back. Start-up is bounded; every server is
 * killed (its whole process group: the postmaster and its backends) when the
 * test process exits, as a last resort; call `destroy()` in afterAll.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { firstStart } from './firstStart.js';
import { freePort } from './freePort.js';

export interface PostgresServer {
  port: number;
  dir: string;
  /** URL of a database on it (default `postgres`), as the superuser `postgres` (trust auth on loopback). */
  url(database?: string): string;
  /** Creates a fresh database and answers its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Starts it (again) on the same port and data directory. */
  start(): Promise<void>;
  /**
   * Stops it and waits for the exit: SIGINT is PostgreSQL's fast shutdown
   * (sessions are ended, as in a restart); SIGKILL kills the process group at
   * once, as a crash (the next start recovers from the WAL).
   */
  stop(signal?: 'SIGINT' | 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Kills it and removes its directory. */
  destroy(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
const running = new Set<ChildProcess>();
const dirs = new Set<string>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    /* gone */
  }
}

process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The newest Debian server binaries, or PG_BIN. */
export function postgresBinDir(): string | undefined {
  const candidates = process.env.PG_BIN
    ? [process.env.PG_BIN]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .filter((v) => /^\d+$/.test(v))
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
      : [];
  return candidates.find((d) => existsSync(join(d, 'postgres')) && existsSync(join(d, 'initdb')));
}

/**
 * Whether the PostgreSQL answering on `port` is the one serving `data`. A
 * port can be taken between freePort's answer and the bind, by another test
 * file's PostgreSQL too: pg_isready would count that one ready while ours
 * fails to bind ("Address already in use") and exits. So ready means the
 * server on the port names our data directory (`SHOW data_directory`; the
 * superuser may read it). A socket client with a deadline, so the wait never
 * blocks the event loop as a spawnSync of pg_isready did.
 */
async function answersFrom(port: number, data: string): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1_000, query_timeout: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
    return rows[0]?.data_directory === data;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** As root, the server must run as someone else: the `postgres` user. Undefined when not root. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) throw new Error('running as root, and there is no `postgres` user to run PostgreSQL as (apt-get install -y postgresql creates it)');
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export function postgresServerAvailable(): boolean {
  if (postgresBinDir() === undefined) return false;
  try {
    serverUser();
    return true;
  } catch {
    return false;
  }
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found (apt-get install -y postgresql, or set PG_BIN)');
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-pg-'));
  dirs.add(dir);
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  mkdirSync(sockets);
  if (user) for (const d of [dir, sockets]) chownSync(d, user.uid, user.gid);
  let port = await freePort();
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
  const as = { cwd: dir, env, ...(user ?? {}) };

  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], { ...as, encoding: 'utf8', timeout: START_TIMEOUT_MS });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status ?? init.signal}): ${(init.stderr || init.stdout || String(init.error)).slice(-2000)}`);

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    // fsync off: a test server never outlives its machine; a killed process loses nothing the OS already has.
    const args = ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', sockets, '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'shared_buffers=32MB', '-c', 'max_connections=100', '-c', 'log_min_messages=warning'];
    const proc = spawn(join(bin as string, 'postgres'), args, { ...as, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = proc;
    running.add(proc);
    let out = '';
    proc.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
    proc.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));
    exited = new Promise((resolve) =>
      proc.once('exit', () => {
        running.delete(proc);
        resolve();
      }),
    );
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`postgres exited: ${out.slice(-2000)}`);
      if (await answersFrom(port, data)) return;
      if (Date.now() > deadline) {
        killGroup(proc, 'SIGKILL');
        throw new Error(`postgres did not accept connections within ${START_TIMEOUT_MS} ms: ${out.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function stop(signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL' = 'SIGINT'): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    if (signal === 'SIGKILL') killGroup(proc, 'SIGKILL');
    else proc.kill(signal);
    const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    // The backends of a killed postmaster go with its group; wait until none is left holding the data.
    if (signal === 'SIGKILL' && proc.pid !== undefined) {
      const until = Date.now() + 5_000;
      while (Date.now() < until && spawnSync('pgrep', ['-g', String(proc.pid)]).status === 0) await new Promise((r) => setTimeout(r, 50));
    }
  }

  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let databases = 0;
  await firstStart(start, (another) => {
    port = another;
  });
  return {
    port,
    dir,
    url,
    async createDatabase(name = `db${++databases}`) {
      const client = new pg.Client({ connectionString: url(), connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    start,
    stop,
    async destroy() {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
  };
}
