/**
 * Starting an import (`POST /bulk/imports?kind=…`, `crossdock import`):
 * framework-free, the server adapts it (src/server/bulkRoutes.ts).
 *
 * Checked before anything is kept, each refusal typed (bulkRefusal.ts): the
 * kind, the role (operator, from the access policy), the content type
 * (`text/csv`, UTF-8), the size (Content-Length at once, then while the body
 * streams in). Then the file is stored content-addressed, its header checked
 * against the kind's columns and its rows counted in one streamed pass, and
 * the job created: a sync job over exactly those rows. An active import of
 * the same file, kind and dry-run flag is returned instead of a second one.
 * Every import is recorded in the audit log like a mutation.
 */
import { rmSync } from 'node:fs';
import { routeRole } from '../auth/accessPolicy.js';
import { requireRole } from '../auth/roles.js';
import { isClientFacing } from '../errors/crossdockError.js';
import type { Client } from '../graphql/context.js';
import type { SyncService } from '../jobs/syncService.js';
import { IMPORT_KINDS, type ImportKind, type SyncJobRecord } from '../jobs/types.js';
import type { AuditLog } from '../observability/auditLog.js';
import { badInput, BulkRefusal } from './bulkRefusal.js';
import { columnsFor } from './importColumns.js';
import type { ImportFiles } from './importFiles.js';
import { inspectImport } from './importRows.js';

export interface ImportRequest {
  /** The `kind` query parameter as sent. */
  kind: string | undefined;
  dryRun: string | undefined;
  contentType: string | undefined;
  contentLength: string | undefined;
  body: AsyncIterable<Uint8Array | string>;
}

export interface ImportStarted {
  job: SyncJobRecord;
  alreadyRunning: boolean;
}

export interface BulkImports {
  start(request: ImportRequest, client: Client): Promise<ImportStarted>;
  /**
   * Refusals that need no body (kind, role, type, Content-Length): the route answers them before
   * reading a byte. A refusal is audited, then thrown.
   */
  precheck(request: Omit<ImportRequest, 'body'>, client: Client): Promise<void>;
}

export interface BulkImportsOptions {
  files: ImportFiles;
  jobs: SyncService;
  audit: AuditLog;
}

/** `part-list`, `part_list`, `PART_LIST` … → PART_LIST. */
export function parseImportKind(raw: string | undefined): ImportKind {
  const kind = (raw ?? '').trim().toUpperCase().replace(/-/g, '_');
  if (!(IMPORT_KINDS as readonly string[]).includes(kind)) {
    throw badInput('UNKNOWN_KIND', `kind must be one of ${IMPORT_KINDS.join(', ')}${raw ? `, not "${raw.slice(0, 40)}"` : ''}`, { argument: 'kind' });
  }
  return kind as ImportKind;
}

function parseDryRun(raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw badInput('BAD_PARAMETER', 'dryRun must be true or false', { argument: 'dryRun' });
}

/** RFC 7111 `text/csv`; a charset, if named, must be UTF-8 (the only one Crossdock reads). */
function checkContentType(raw: string | undefined): void {
  const [type = '', ...params] = (raw ?? '').split(';').map((p) => p.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (type !== 'text/csv' || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw new BulkRefusal(415, 'UNSUPPORTED_MEDIA_TYPE', 'WRONG_CONTENT_TYPE', `send the file as content-type text/csv (UTF-8), not ${raw ? `"${raw.slice(0, 60)}"` : 'without one'}`);
  }
}

export function createBulkImports(options: BulkImportsOptions): BulkImports {
  const { files, jobs, audit } = options;

  function check(request: Omit<ImportRequest, 'body'>, client: Client): ImportKind {
    requireRole(client, routeRole('POST /bulk/imports'), 'POST /bulk/imports');
    const kind = parseImportKind(request.kind);
    parseDryRun(request.dryRun);
    checkContentType(request.contentType);
    const length = request.contentLength === undefined ? undefined : Number(request.contentLength);
    if (length !== undefined && Number.isFinite(length) && length > files.maxBytes) {
      throw new BulkRefusal(413, 'PAYLOAD_TOO_LARGE', 'FILE_TOO_LARGE', `the file is ${length} bytes; at most ${files.maxBytes} (BULK_IMPORT_MAX_BYTES)`, { limitBytes: files.maxBytes });
    }
    if (length === 0) throw badInput('EMPTY_FILE', 'the file is empty');
    return kind;
  }

  async function start(request: ImportRequest, client: Client): Promise<ImportStarted> {
    const kind = check(request, client);
    const dryRun = parseDryRun(request.dryRun);
    const saved = await files.save(request.body);
    // Refused files are removed, unless another upload had already stored the same bytes.
    const refuse = (err: BulkRefusal): never => {
      if (saved.created) rmSync(saved.path, { force: true });
      throw err;
    };
    if (saved.bytes === 0) refuse(badInput('EMPTY_FILE', 'the file is empty'));
    const summary = await inspectImport(saved.path);
    if (!summary.header || summary.header.raw.every((c) => c.trim() === '')) refuse(badInput('EMPTY_FILE', 'the file has no rows'));
    const columns = columnsFor(kind, summary.header!);
    if (!columns.ok) refuse(badInput('NO_HEADER', columns.message));
    if (summary.rows === 0) refuse(badInput('EMPTY_FILE', 'the file has a header and no rows to import'));
    return jobs.startImport({ kind, file: { sha256: saved.sha256, bytes: saved.bytes, rows: summary.rows }, dryRun }, client.name);
  }

  /** Runs `work`, recording it in the audit log as the mutation-like `bulkImport` (OK, REFUSED or ERROR). */
  async function audited<T>(request: Omit<ImportRequest, 'body'>, client: Client, work: () => T | Promise<T>, recordOk: boolean): Promise<T> {
    const started = performance.now();
    const event = { client: client.name, role: client.role, operationName: null, field: 'bulkImport', arguments: { kind: request.kind ?? null, dryRun: request.dryRun ?? null }, variables: null };
    try {
      const result = await work();
      if (recordOk) await audit.record({ ...event, outcome: 'OK', errorCode: null, durationMs: performance.now() - started });
      return result;
    } catch (err) {
      const code = err instanceof BulkRefusal ? err.code : isClientFacing(err) ? String(err.extensions?.code ?? 'INTERNAL_SERVER_ERROR') : 'INTERNAL_SERVER_ERROR';
      const refused = code === 'FORBIDDEN' || err instanceof BulkRefusal;
      await audit.record({ ...event, outcome: refused ? 'REFUSED' : 'ERROR', errorCode: code, durationMs: performance.now() - started });
      throw err;
    }
  }

  return {
    precheck: async (request, client) => {
      await audited(request, client, () => check(request, client), false);
    },
    start: (request, client) => audited(request, client, () => start(request, client), true),
  };
}
