/**
 * The CLI's only way to the gateway: GraphQL over HTTP (POST /graphql) for
 * operations, and a job's progress as an async iterator of snapshots. The
 * iterator prefers the live subscription over GraphQL-over-SSE
 * (`/graphql/stream`, graphql-sse's distinct connections mode) and falls back
 * to polling `syncJob(id)` every 500 ms when the stream cannot be opened or
 * breaks, so `--watch` works against any gateway version and through proxies
 * that do not pass event streams.
 *
 * Failures come out as one ApiError type that says whether the gateway was
 * reached (kind 'graphql': it answered with error codes) or not (kind
 * 'connection'), which is what main.ts turns into exit codes. The API key is
 * sent as X-API-Key and never put into an error message.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, ExportKindArg, ImportKindArg, SyncKind, SyncScopeInput } from './args.js';
import { isFinalStatus, type JobDetails, type JobSnapshot } from './progress.js';

export interface GraphQLErrorInfo {
  code: string;
  message: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** 'connection': no usable answer from the gateway; 'graphql': it answered with errors. */
    readonly kind: 'connection' | 'graphql',
    readonly errors: GraphQLErrorInfo[],
  ) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('; '));
  }

  get code(): string {
    return this.errors[0]?.code ?? 'UNKNOWN';
  }
}

/** 3 when the gateway could not be reached or refused the key; 1 for every other refusal. */
export function exitCodeForError(err: ApiError): number {
  return err.kind === 'connection' || err.errors.some((e) => e.code === 'UNAUTHENTICATED') ? 3 : 1;
}

const REQUEST_TIMEOUT_MS = 30_000;

const SNAPSHOT = `id status error progress { total processed created updated unchanged failed percent ratePerSecond etaSeconds phase }`;
const DETAILS = `${SNAPSHOT} kind dryRun startedBy retryOf createdAt startedAt finishedAt
  scope { manufacturer partNumbers query limit skus }
  failures(first: 5) { totalCount nodes { sku partNumber code message } }
  plannedChanges(first: 1) { totalCount }`;

function connectionError(url: string, err: unknown): ApiError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } } | null;
  if (e?.name === 'TimeoutError') return new ApiError('connection', [{ code: 'TIMEOUT', message: `the gateway at ${url} did not answer within ${REQUEST_TIMEOUT_MS / 1000}s` }]);
  const code = e?.cause?.code ?? 'CONNECTION_FAILED';
  const detail = e?.cause?.message ?? e?.message ?? String(err);
  return new ApiError('connection', [{ code, message: `cannot reach the gateway at ${url}: ${detail}` }]);
}

function errorInfos(errors: ReadonlyArray<{ message?: unknown; extensions?: { code?: unknown } | null }>): GraphQLErrorInfo[] {
  return errors.map((e) => ({
    code: typeof e.extensions?.code === 'string' ? e.extensions.code : 'GRAPHQL_ERROR',
    message: typeof e.message === 'string' ? e.message : 'unknown error',
  }));
}

/** One GraphQL operation over POST /graphql; `data` or an ApiError. */
export async function gql<T>(conn: Connection, query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  const endpoint = `${conn.url}/graphql`;
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json;q=0.9',
        'x-api-key': conn.key,
      },
      body: JSON.stringify({ query, variables }),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw connectionError(conn.url, err);
  }
  let body: { data?: unknown; errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }> };
  const type = res.headers.get('content-type') ?? '';
  try {
    if (!/json/i.test(type)) throw new Error('not JSON');
    body = (await res.json()) as typeof body;
  } catch {
    throw new ApiError('connection', [{ code: `HTTP_${res.status}`, message: `${endpoint} did not answer like a Crossdock gateway (HTTP ${res.status}${type ? `, ${type.split(';')[0]}` : ''})` }]);
  }
  if (Array.isArray(body.errors) && body.errors.length > 0) {
    const errors = errorInfos(body.errors);
    // Errors without a GraphQL body status (e.g. a proxy's 502) mean the gateway was not reached.
    throw new ApiError(res.status >= 500 && errors.every((e) => e.code === 'GRAPHQL_ERROR') ? 'connection' : 'graphql', errors);
  }
  if (body.data === null || body.data === undefined || typeof body.data !== 'object') {
    throw new ApiError('graphql', [{ code: 'NO_DATA', message: `the gateway answered HTTP ${res.status} without data` }]);
  }
  return body.data as T;
}

export interface StartSyncResult {
  alreadyRunning: boolean;
  job: JobSnapshot & { kind: string; dryRun: boolean };
}

export async function startSync(conn: Connection, input: { kind: SyncKind; scope: SyncScopeInput | null; dryRun: boolean }): Promise<StartSyncResult> {
  const data = await gql<{ startSync: StartSyncResult }>(
    conn,
    `mutation CliStartSync($input: StartSyncInput!) { startSync(input: $input) { alreadyRunning job { ${SNAPSHOT} kind dryRun } } }`,
    { input },
  );
  return data.startSync;
}

/** The job with everything `status` and the end-of-watch summary show; NOT_FOUND when there is none. */
export async function getJob(conn: Connection, id: string, signal?: AbortSignal): Promise<JobDetails> {
  const data = await gql<{ syncJob: JobDetails | null }>(conn, `query CliSyncJob($id: ID!) { syncJob(id: $id) { ${DETAILS} } }`, { id }, signal);
  if (!data.syncJob) throw notFound(id);
  return data.syncJob;
}

export async function cancelSync(conn: Connection, id: string): Promise<JobSnapshot> {
  const data = await gql<{ cancelSync: JobSnapshot }>(conn, `mutation CliCancelSync($id: ID!) { cancelSync(id: $id) { ${SNAPSHOT} } }`, { id });
  return data.cancelSync;
}

/** An answer of the bulk routes that is not the success asked for: its error codes, or a connection error. */
async function bulkError(res: Response, url: string): Promise<ApiError> {
  try {
    const body = (await res.json()) as { errors?: ReadonlyArray<{ message?: unknown; extensions?: { code?: unknown } | null }> };
    if (Array.isArray(body.errors) && body.errors.length) return new ApiError('graphql', errorInfos(body.errors));
  } catch {
    // not a gateway's answer
  }
  return new ApiError('connection', [{ code: `HTTP_${res.status}`, message: `${url} did not answer like a Crossdock gateway (HTTP ${res.status})` }]);
}

export interface ImportStartedResult {
  alreadyRunning: boolean;
  job: { id: string; kind: string; status: string; dryRun: boolean; rows: number | null };
}

/** Streams a file to POST /bulk/imports (text/csv, its Content-Length); the job it started. */
export async function importFile(conn: Connection, path: string, kind: ImportKindArg, dryRun: boolean): Promise<ImportStartedResult> {
  const size = statSync(path).size;
  const url = `${conn.url}/bulk/imports?${new URLSearchParams({ kind, ...(dryRun ? { dryRun: 'true' } : {}) })}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'content-length': String(size), 'x-api-key': conn.key },
      body: Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
  } catch (err) {
    throw connectionError(conn.url, err);
  }
  if (res.status !== 202) throw await bulkError(res, url);
  return (await res.json()) as ImportStartedResult;
}

/** GET /bulk/exports/{kind}.csv, written to `out` as it arrives (the export is streamed: any size, little memory). */
export async function exportCsv(conn: Connection, kind: ExportKindArg, params: Record<string, string>, out: { write(chunk: Uint8Array): Promise<void> | void }): Promise<number> {
  const query = new URLSearchParams(params).toString();
  const url = `${conn.url}/bulk/exports/${kind}.csv${query ? `?${query}` : ''}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { 'x-api-key': conn.key } });
  } catch (err) {
    throw connectionError(conn.url, err);
  }
  if (res.status !== 200 || !res.body) throw await bulkError(res, url);
  let bytes = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      await out.write(chunk);
    }
  } catch (err) {
    throw new ApiError('connection', [{ code: 'EXPORT_CUT_SHORT', message: `the export stopped after ${bytes} bytes: ${err instanceof Error ? err.message : String(err)}` }]);
  }
  return bytes;
}

function notFound(id: string): ApiError {
  return new ApiError('graphql', [{ code: 'NOT_FOUND', message: `no sync job with id "${id.slice(0, 64)}"` }]);
}

const SUBSCRIPTION = `subscription CliWatchSyncJob($id: ID!) { syncJob(id: $id) { ${SNAPSHOT} } }`;

export type Transport = 'auto' | 'sse' | 'poll';

export interface WatchOptions {
  signal?: AbortSignal;
  /** Something the user should know (fallbacks, reconnects); a line on stderr. */
  onNotice?: (message: string) => void;
  /** 'auto' (default): the stream, else polling; 'sse': the stream or fail; 'poll': polling only. */
  transport?: Transport;
  pollIntervalMs?: number;
  /** How long the stream may take to deliver its first snapshot before polling takes over. */
  streamConnectTimeoutMs?: number;
  /** How long polling tolerates an unreachable gateway (it may be restarting) before giving up. */
  pollOutageMs?: number;
}

class StreamTimeout extends Error {
  override readonly name = 'StreamTimeout';
}

/** Why the stream failed, in a few words (graphql-sse's NetworkError carries the response). */
export function describeStreamError(err: unknown): string {
  const e = err as { response?: { status?: number }; name?: string; message?: string; cause?: { code?: string; message?: string } } | null;
  if (typeof e?.response?.status === 'number') return `HTTP ${e.response.status}`;
  if (e?.name === 'StreamTimeout') return e.message ?? 'no answer';
  const cause = e?.cause;
  if (cause?.code) return cause.code;
  return e?.message?.split('\n')[0] ?? String(err);
}

/**
 * The subscription as an async iterator: snapshots until the job ends or the
 * stream does. Any failure to stream throws (graphql-sse's own retries are
 * off: polling is the fallback); a GraphQL error in the stream is an ApiError.
 */
export async function* streamJob(conn: Connection, id: string, signal?: AbortSignal, connectTimeoutMs = 10_000): AsyncGenerator<JobSnapshot> {
  type Item = { result: { data?: unknown; errors?: ReadonlyArray<{ message?: unknown; extensions?: { code?: unknown } | null }> } } | { error: unknown } | { done: true };
  const queue: Item[] = [];
  let wake: (() => void) | null = null;
  const push = (item: Item) => {
    queue.push(item);
    wake?.();
  };
  // Loaded only to watch: `status`, `cancel` and errors start faster without graphql-sse (and graphql).
  const { createClient } = await import('graphql-sse');
  const client = createClient({ url: `${conn.url}/graphql/stream`, headers: { 'x-api-key': conn.key }, retryAttempts: 0 });
  const dispose = client.subscribe<{ syncJob: JobSnapshot | null }>(
    { query: SUBSCRIPTION, variables: { id } },
    { next: (result) => push({ result: result as Extract<Item, { result: unknown }>['result'] }), error: (error) => push({ error }), complete: () => push({ done: true }) },
  );
  const onAbort = () => push({ done: true });
  signal?.addEventListener('abort', onAbort, { once: true });
  let received = false;
  const timer = setTimeout(() => {
    if (!received) push({ error: new StreamTimeout(`no snapshot within ${connectTimeoutMs / 1000}s`) });
  }, connectTimeoutMs);
  try {
    for (;;) {
      while (queue.length === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
      const item = queue.shift()!;
      if ('done' in item) return;
      if ('error' in item) throw item.error;
      received = true;
      const { result } = item;
      if (result.errors?.length) throw new ApiError('graphql', errorInfos(result.errors));
      const job = (result.data as { syncJob?: JobSnapshot | null } | undefined)?.syncJob;
      if (!job) throw notFound(id);
      yield job;
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    dispose();
    client.dispose();
  }
}

/**
 * Polling: `syncJob(id)` every `intervalMs`, each answer yielded, until the
 * job ends. Connection failures are retried for `outageMs` (a restarting
 * gateway resumes the job); auth and other GraphQL errors end it at once.
 */
export async function* pollJob(conn: Connection, id: string, opts: WatchOptions = {}): AsyncGenerator<JobSnapshot> {
  const { signal, onNotice, pollIntervalMs = 500, pollOutageMs = 30_000 } = opts;
  let outageSince: number | null = null;
  for (;;) {
    if (signal?.aborted) return;
    try {
      const data = await gql<{ syncJob: JobSnapshot | null }>(conn, `query CliPollSyncJob($id: ID!) { syncJob(id: $id) { ${SNAPSHOT} } }`, { id }, signal);
      if (!data.syncJob) throw notFound(id);
      if (outageSince !== null) onNotice?.('reconnected to the gateway');
      outageSince = null;
      yield data.syncJob;
      if (isFinalStatus(data.syncJob.status)) return;
    } catch (err) {
      if (signal?.aborted) return;
      if (!(err instanceof ApiError) || err.kind !== 'connection') throw err;
      const now = Date.now();
      if (outageSince === null) {
        outageSince = now;
        onNotice?.(`${err.code}: ${err.errors[0]?.message ?? 'connection failed'}; retrying for ${Math.round(pollOutageMs / 1000)}s`);
      } else if (now - outageSince >= pollOutageMs) {
        throw err;
      }
    }
    try {
      await sleep(pollIntervalMs, undefined, { signal });
    } catch {
      return; // aborted
    }
  }
}

/**
 * A job's snapshots until it ends (the last one yielded is final) or the
 * signal aborts: the subscription when it can be had, polling otherwise.
 */
export async function* watchJob(conn: Connection, id: string, opts: WatchOptions = {}): AsyncGenerator<JobSnapshot> {
  const { signal, onNotice, transport = 'auto', pollIntervalMs = 500 } = opts;
  if (transport !== 'poll') {
    try {
      for await (const job of streamJob(conn, id, signal, opts.streamConnectTimeoutMs)) {
        yield job;
        if (isFinalStatus(job.status)) return;
      }
      if (signal?.aborted) return;
      if (transport === 'sse') throw new ApiError('connection', [{ code: 'STREAM_ENDED', message: `the live stream at ${conn.url}/graphql/stream ended before the job did` }]);
      onNotice?.(`the live stream ended before the job did; polling every ${pollIntervalMs} ms instead`);
    } catch (err) {
      if (signal?.aborted) return;
      if (err instanceof ApiError) {
        if (err.kind === 'graphql' || transport === 'sse') throw err;
      } else if (transport === 'sse') {
        throw new ApiError('connection', [{ code: 'STREAM_FAILED', message: `live stream at ${conn.url}/graphql/stream unavailable (${describeStreamError(err)})` }]);
      }
      onNotice?.(`live progress stream unavailable (${describeStreamError(err)}); polling ${conn.url}/graphql every ${pollIntervalMs} ms instead`);
    }
  }
  yield* pollJob(conn, id, opts);
}
