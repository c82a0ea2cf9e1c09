/**
 * A real redis-server for one test file: an ephemeral loopback port, a temp
 * directory, the append-only file on (`--appendonly yes --save ''`, as the
 * production layout), never a system service. `stop()` then `start()` again
 * reuses the same port and directory, so a test can take Redis away and
 * bring it back with its data (AOF). Every server is killed when the test
 * process exits, as a last resort; call `stop()` in afterAll.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-redis-'));
  const port = await freePort();
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
    // Ready when it answers PING.
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited: ${out.slice(-1000)}`);
      if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') return;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer within 10 s: ${out.slice(-1000)}`);
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

  await start();
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
