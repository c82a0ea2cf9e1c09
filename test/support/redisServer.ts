/**
 * A real redis-server for one test file: an ephemeral loopback port, a temp
 * directory, the append-only file on (`--appendonly yes --save ''`, as the
 * production layout), never a system service. `stop()` then `start()` again
 * reuses the same port and directory, so a test can take Redis away and
 * bring it back with its data (AOF). Every server is killed when the test
 * process exits, as a last resort; call `stop()` in afterAll.
 *
 * The port is free when asked and released before redis binds it, so another
 * process can take it in between: the first start then tries another port
 * (three in all). It is ready when the server on the port answers `INFO
 * server` with its own process id — a PING could be answered by another test
 * file's redis on that port. The probe is a socket of this process with a
 * deadline, not a redis-cli run: a spawnSync would block the event loop that
 * a listener in this process (the port-race test's) needs to answer.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstStart } from './firstStart.js';
import { freePort } from './freePort.js';

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  /** Starts it (again) on the same port and directory. */
  start(): Promise<void>;
  /** Stops it: SIGTERM (or SIGKILL: no final fsync, as a crash), then waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
});

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

/**
 * The process id of the redis-server answering on `port` (from `INFO server`),
 * or null when nothing answers as redis within `timeoutMs`.
 */
function redisProcessId(port: number, timeoutMs = 1_000): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (pid: number | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(pid);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      const pid = /process_id:(\d+)/.exec(reply);
      if (pid) done(Number(pid[1]));
      else if (reply.length > 65_536) done(null);
    });
    socket.once('error', () => done(null));
    socket.once('close', () => done(null));
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-redis-'));
  let port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction', '--protected-mode', 'yes', '--daemonize', 'no', '--loglevel', 'warning'];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    running.add(proc);
    let out = '';
    proc.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
    proc.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));
    exited = new Promise((resolve) => proc.once('exit', () => {
      running.delete(proc);
      resolve();
    }));
    // Ready when the server on the port says it is this process.
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`redis-server exited: ${out.slice(-1000)}`);
      const pid = await redisProcessId(port);
      if (pid === proc.pid) return;
      if (pid !== null) {
        // Another redis-server has the port; ours cannot bind it.
        proc.kill('SIGKILL');
        await exited;
        throw new Error(`redis-server on port ${port}: Address already in use (process ${pid} answers there)`);
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`redis-server did not answer within 10 s: ${out.slice(-1000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child?.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  await firstStart(start, (another) => {
    port = another;
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    start,
    stop,
    async destroy() {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
