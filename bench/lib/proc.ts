/**
 * Child processes for the benchmarks: spawn node (with the tsx loader) so the
 * pid we hold is the server itself, collect its output, wait for a line, read
 * its memory from /proc, and always stop it: SIGTERM, then SIGKILL after a
 * grace period. Every child is registered so run.ts can stop them all in a
 * finally block or on Ctrl-C.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib/ is two levels down). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface NodeChild {
  readonly pid: number;
  readonly child: ChildProcess;
  readonly spawnedAt: number;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  readonly exited: Promise<number | null>;
}

const live = new Set<NodeChild>();

export interface SpawnNodeOptions {
  /** Script path relative to the repository root, e.g. `src/sandbox/main.ts`. */
  script: string;
  /** Arguments after the script. @default none */
  args?: string[];
  /**
   * On top of this process's environment; `undefined` removes a variable, so the
   * child applies its own default rather than whatever the caller's shell says.
   */
  env?: Record<string, string | undefined>;
  /** Extra node flags placed before `--import tsx` (e.g. `--cpu-prof`). */
  nodeFlags?: string[];
  /** Load TypeScript through tsx (`--import tsx`); off for a plain JavaScript entry. @default true */
  tsx?: boolean;
  /**
   * Append stdout and stderr to this file instead of piping them here, the way a
   * production process's output is captured. A chatty child (a request log line
   * per request at `info`) would otherwise cost this process, the load
   * generator, CPU for every line. `output()` and `waitFor` then read the file.
   * @default piped into this process
   */
  logFile?: string;
  label?: string;
  /** Pin the process to this CPU (through `taskset`, which execs node, so the pid is still the server's). */
  cpu?: number;
  /** Where `script` is: another checkout of the code (a baseline measured side by side). @default the repository root */
  cwd?: string;
}

/** Spawns `node [flags] --import tsx <script>` directly: the pid is the server's. */
export function spawnNode(options: SpawnNodeOptions): NodeChild {
  const spawnedAt = performance.now();
  const nodeArgs = [...(options.nodeFlags ?? []), ...(options.tsx === false ? [] : ['--import', 'tsx']), options.script, ...(options.args ?? [])];
  const pinned = options.cpu !== undefined && hasTaskset();
  const [command, args] = pinned ? ['taskset', ['-c', String(options.cpu), process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const logFd = options.logFile ? openSync(options.logFile, 'a') : undefined;
  const child = spawn(command as string, args as string[], {
    cwd: options.cwd ?? REPO_ROOT,
    env,
    stdio: logFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
  });
  // The child holds its own copy of the descriptor.
  if (logFd !== undefined) closeSync(logFd);
  if (child.pid === undefined) throw new Error(`could not spawn ${options.script}`);
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > 1_000_000) out = out.slice(-500_000);
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const output = () => (options.logFile ? tailOfFile(options.logFile, 64 * 1024) : out);
  // A file has no 'data' events: while someone waits for a line, look at it every 100 ms.
  let poll: NodeJS.Timeout | undefined;
  const watch = () => {
    if (!options.logFile) return;
    if (listeners.size > 0 && !poll) poll = setInterval(() => listeners.forEach((l) => l()), 100);
    if (listeners.size === 0 && poll) {
      clearInterval(poll);
      poll = undefined;
    }
  };
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(handle);
      for (const l of listeners) l();
      resolve(code ?? (signal ? null : 0));
    });
  });
  const label = options.label ?? options.script;

  const handle: NodeChild = {
    pid: child.pid,
    child,
    spawnedAt,
    exited,
    output,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = output().match(pattern);
          if (m) return done(() => resolve(m));
          if (child.exitCode !== null || child.signalCode !== null) {
            return done(() => reject(new Error(`${label} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${tail(output())}`)));
          }
        };
        const timer = setTimeout(() => done(() => reject(new Error(`${label}: no ${pattern} within ${timeoutMs} ms:\n${tail(output())}`))), timeoutMs);
        const done = (f: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          watch();
          f();
        };
        listeners.add(check);
        watch();
        check();
      });
    },
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await Promise.race([exited, sleep(2_000)]);
      }
      live.delete(handle);
    },
  };
  live.add(handle);
  return handle;
}

/** Stops every child still running (SIGTERM, then SIGKILL). */
export async function stopAll(): Promise<void> {
  await Promise.allSettled([...live].map((c) => c.stop()));
}

/** Last resort on an abrupt exit: SIGKILL whatever is left, synchronously. */
export function killAllNow(): void {
  for (const c of live) {
    try {
      c.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tail(text: string, lines = 20): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** The last `bytes` of a file ('' when it does not exist yet). */
function tailOfFile(path: string, bytes: number): string {
  let fd: number | undefined;
  try {
    const size = statSync(path).size;
    const length = Math.min(size, bytes);
    const buf = Buffer.alloc(length);
    fd = openSync(path, 'r');
    readSync(fd, buf, 0, length, size - length);
    return buf.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A port that was free on 127.0.0.1 a moment ago (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

/** VmRSS and VmHWM (peak RSS) of a process, in bytes, from /proc/<pid>/status. */
export async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m?.[1]) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(m[1]) * 1024;
  };
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

let tasksetAvailable: boolean | undefined;
/** Whether `taskset` (util-linux) can pin processes here. */
export function hasTaskset(): boolean {
  tasksetAvailable ??= spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;
  return tasksetAvailable;
}

/** Pins every thread of this process to `cpus` (a taskset list such as "0" or "0-1"); false when it cannot. */
export function pinSelf(cpus: string): boolean {
  if (!hasTaskset()) return false;
  return spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' }).status === 0;
}

/** CPU time (user + system, all threads) a process has used so far, in ms, from /proc/<pid>/stat. */
export async function cpuTimeMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command (which may hold spaces) start past the last ')'; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}

/** USER_HZ: 100 on every mainstream Linux (getconf CLK_TCK). */
const CLOCK_TICKS = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(out.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();
