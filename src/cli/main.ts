/**
 * `crossdock`: the command-line client for sync jobs, `crossdock migrate`
 * for the record database (migrate.ts), and `crossdock schema`, which
 * prints the SDL for supergraph composition. This file only
 * dispatches — args.ts parses, api.ts talks to the gateway, progress.ts
 * formats — and owns the process-facing decisions: which stream each line
 * goes to (results on stdout, progress and errors on stderr), exit codes,
 * Ctrl-C (detach, never cancel), and keeping the API key out of every line
 * it prints. `main` returns the exit code instead of exiting, so it can be
 * called in-process; bin/crossdock.js is the launcher that exits.
 */
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { ApiError, cancelSync, exitCodeForError, exportCsv, getJob, importFile, startSync, watchJob, type Transport } from './api.js';
import { parseCli, SHORT_USAGE, USAGE, UsageError, type Command, type Connection } from './args.js';
import {
  exitCodeForStatus,
  INITIAL_THROTTLE,
  isFinalStatus,
  renderJobDetails,
  renderPlainLine,
  renderSummary,
  renderTtyLine,
  throttle,
  type JobSnapshot,
} from './progress.js';

export interface OutputStream {
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  /** Where Ctrl-C comes from; the process by default. */
  onInterrupt?: (handler: () => void) => () => void;
}

const processInterrupt = (handler: () => void) => {
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGINT', handler);
  };
};

/** Log lines (non-TTY) at most this often, unless CROSSDOCK_PROGRESS_INTERVAL_MS says otherwise. */
const LOG_INTERVAL_MS = 1000;
/** Terminal redraws at most this often. */
const TTY_INTERVAL_MS = 100;

function version(): string {
  try {
    // src/cli/main.ts and dist/cli/main.js are both two levels below the package root.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function transportFrom(env: NodeJS.ProcessEnv): Transport {
  const t = (env.CROSSDOCK_TRANSPORT ?? 'auto').toLowerCase();
  return t === 'sse' || t === 'poll' ? t : 'auto';
}

export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let secret: string | null = null;
  const redact = (text: string) => (secret && secret.length >= 4 ? text.split(secret).join('[redacted]') : text);
  const out = (line: string) => io.stdout.write(`${redact(line)}\n`);
  const err = (line: string) => io.stderr.write(`${redact(line)}\n`);

  let command: Command;
  try {
    command = parseCli(argv, io.env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    secret = io.env.CROSSDOCK_API_KEY?.trim() || null;
    err(`crossdock: ${e.message}`);
    if (e.showUsage) err(`\n${SHORT_USAGE}`);
    return 2;
  }
  if (command.name === 'help') {
    out(USAGE);
    return 0;
  }
  if (command.name === 'version') {
    out(version());
    return 0;
  }
  if (command.name === 'migrate') {
    // Loaded only for this command: the sync commands need no database driver.
    const { runMigrate } = await import('./migrate.js');
    return runMigrate(io.env, out, err, command.fromRedis);
  }
  if (command.name === 'schema') {
    // Loaded on demand: the SDL builders (graphql, @apollo/subgraph) are not needed by the other commands.
    const { printSchemaSdl } = await import('./schemaCommand.js');
    io.stdout.write(printSchemaSdl({ federation: command.federation }));
    return 0;
  }
  secret = command.connection.key;

  try {
    switch (command.name) {
      case 'sync': {
        const { kind, scope, dryRun, connection } = command;
        const started = await startSync(connection, { kind, scope, dryRun });
        const { job } = started;
        const what = `${job.kind} sync${job.dryRun ? ' (dry run)' : ''}`;
        if (started.alreadyRunning) {
          out(`Already running: ${what} job ${job.id} (${job.status}) has the same scope; not starting another.`);
        } else {
          out(`Started ${what} job ${job.id} (${job.status}).`);
        }
        if (!command.watch) {
          out(`Follow it: crossdock status ${job.id} --watch`);
          return 0;
        }
        return await watch(connection, job.id, io, out, err);
      }
      case 'status': {
        const job = await getJob(command.connection, command.id);
        for (const line of renderJobDetails(job)) out(line);
        if (!command.watch) return 0;
        if (isFinalStatus(job.status)) {
          // Already ended: the same summary a watch that saw the end prints.
          for (const line of renderSummary(job)) out(line);
          return exitCodeForStatus(job.status);
        }
        out('');
        return await watch(command.connection, job.id, io, out, err);
      }
      case 'import': {
        if (!existsSync(command.file)) {
          err(`crossdock: import: no file ${command.file}`);
          return 2;
        }
        const started = await importFile(command.connection, command.file, command.kind, command.dryRun);
        const { job } = started;
        const what = `${job.kind} import${job.dryRun ? ' (dry run)' : ''} of ${job.rows ?? '?'} rows`;
        out(started.alreadyRunning ? `Already running: ${what}, job ${job.id} (${job.status}) has the same file; not starting another.` : `Started ${what}: job ${job.id} (${job.status}).`);
        if (!command.watch) {
          out(`Follow it: crossdock status ${job.id} --watch`);
          return 0;
        }
        return await watch(command.connection, job.id, io, out, err);
      }
      case 'export': {
        // Raw bytes to stdout (`crossdock export catalog > catalog.csv`); nothing else is printed there.
        const stdout = io.stdout as OutputStream & Partial<Pick<NodeJS.WriteStream, 'once'>>;
        const bytes = await exportCsv(command.connection, command.kind, command.params, {
          async write(chunk) {
            // Backpressure: a slow pipe (| gzip) holds the download instead of memory filling up.
            if (stdout.write(chunk) === false && typeof stdout.once === 'function') await once(stdout as NodeJS.WriteStream, 'drain');
          },
        });
        err(`crossdock: exported ${command.kind} (${bytes} bytes)`);
        return 0;
      }
      case 'cancel': {
        const job = await cancelSync(command.connection, command.id);
        if (job.status === 'CANCELLED') {
          out(`Cancelled sync job ${job.id}.`);
        } else {
          out(`Cancelling sync job ${job.id}: it stops after the batch in progress (now ${job.status}). Watch it: crossdock status ${job.id} --watch`);
        }
        return 0;
      }
    }
  } catch (e) {
    return reportError(e, err);
  }
}

function reportError(e: unknown, err: (line: string) => void): number {
  if (e instanceof ApiError) {
    for (const { code, message } of e.errors) err(`crossdock: ${code}: ${message}`);
    const codes = new Set(e.errors.map((x) => x.code));
    if (codes.has('UNAUTHENTICATED')) err('crossdock: the gateway refused the API key; check --key or CROSSDOCK_API_KEY.');
    else if (codes.has('FORBIDDEN')) err("crossdock: the key's role cannot do this; starting and cancelling syncs needs role operator or admin.");
    else if (e.kind === 'connection') err('crossdock: is the gateway running? Check --url or CROSSDOCK_URL.');
    return exitCodeForError(e);
  }
  err(`crossdock: unexpected error: ${e instanceof Error ? e.message : String(e)}`);
  return 1;
}

/**
 * Follows a job to its end: a redrawn bar on a TTY, a log line per update
 * (throttled) otherwise; the summary on stdout. Ctrl-C detaches (130).
 */
async function watch(conn: Connection, id: string, io: CliIo, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const controller = new AbortController();
  let detached = false;
  const unlisten = (io.onInterrupt ?? processInterrupt)(() => {
    if (detached) process.exit(130); // a second Ctrl-C: do not wait for in-flight requests
    detached = true;
    controller.abort();
  });

  const tty = Boolean(io.stderr.isTTY);
  const interval = Number(io.env.CROSSDOCK_PROGRESS_INTERVAL_MS) > 0 ? Number(io.env.CROSSDOCK_PROGRESS_INTERVAL_MS) : tty ? TTY_INTERVAL_MS : LOG_INTERVAL_MS;
  let state = INITIAL_THROTTLE;
  let drawn: string | null = null; // the bar currently on the terminal's last line
  let pending: JobSnapshot | null = null; // a TTY update held back by the throttle
  const draw = (job: JobSnapshot) => {
    drawn = renderTtyLine(job, io.stderr.columns ?? 80);
    io.stderr.write(`\r${drawn}\x1b[K`);
  };
  const clearBar = () => {
    if (drawn !== null) io.stderr.write('\r\x1b[K');
  };
  const notice = (message: string) => {
    clearBar();
    err(`crossdock: ${message}`);
    if (drawn !== null) io.stderr.write(`\r${drawn}\x1b[K`);
  };

  let last: JobSnapshot | null = null;
  try {
    for await (const job of watchJob(conn, id, { signal: controller.signal, onNotice: notice, transport: transportFrom(io.env) })) {
      last = job;
      const decision = throttle(state, job, Date.now(), interval);
      state = decision.state;
      if (tty) {
        pending = decision.print ? null : job;
        if (decision.print) draw(job);
      } else if (decision.print) {
        err(renderPlainLine(job));
      }
      if (isFinalStatus(job.status)) break;
    }
  } finally {
    unlisten();
    if (tty) {
      if (pending) draw(pending);
      if (drawn !== null) io.stderr.write('\n');
    }
  }

  if (!detached && (!last || !isFinalStatus(last.status))) {
    throw new ApiError('connection', [{ code: 'WATCH_ENDED', message: `lost sync job ${id} before it ended; crossdock status ${id} --watch picks it up again` }]);
  }
  if (detached || !last) {
    err(`Detached from sync job ${id}; it keeps running on the gateway.`);
    err(`  Resume watching: crossdock status ${id} --watch`);
    err(`  Cancel it:       crossdock cancel ${id}`);
    return 130;
  }
  const final = last;
  const details = await getJob(conn, id).catch(() => null);
  for (const line of renderSummary(details && isFinalStatus(details.status) ? details : final)) out(line);
  return exitCodeForStatus(final.status);
}
