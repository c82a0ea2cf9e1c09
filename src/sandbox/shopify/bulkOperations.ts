/**
 * Bulk operations (upstreams.md, "Bulk operations for backfills"):
 * `bulkOperationRunQuery(query:)` → `{bulkOperation {id status} userErrors
 * {field message code}}`; then `currentBulkOperation` or `node(id:)` show it
 * move CREATED → RUNNING → COMPLETED (or FAILED, CANCELING → CANCELED,
 * EXPIRED once its file is gone) with `objectCount` and `rootObjectCount`
 * growing as it runs (strings: they are `UnsignedInt64`), `fileSize`, and
 * `url`, a JSONL file served by this origin under a signed link, as the
 * vendor's storage links are (no access token; `Range` honoured). A query
 * that matched nothing completes with `url: null`, as upstream. One bulk
 * query per shop at a time; a second is a user error while one runs. When
 * it ends, `bulk_operations/finish` subscribers are told.
 *
 * The file is written to a temporary directory page by page (250 orders
 * at a time), never held in memory. The last few results are kept; older
 * ones expire.
 *
 * Test hooks (`POST /__sandbox/bulk`): the next operation can fail with an
 * error code after some objects (its partial file at `partialDataUrl`), can
 * have chosen lines written malformed, and downloads can be cut after some
 * bytes.
 */
import { createWriteStream, rmSync, statSync, type WriteStream } from 'node:fs';
import { getArgumentValues, Kind, parse, validate, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLSchema } from 'graphql';
import { z } from 'zod';
import type { AdminContext, BulkPort, BulkUserError, View } from './adminResolvers.js';
import { gid, iso } from './orderViews.js';
import type { AdminEndpoint } from './adminEndpoint.js';
import { bulkQueryProblem, jsonlLines } from './bulkJsonl.js';
import { createResultFiles, type BulkDownload } from './bulkResultFiles.js';
import type { OrderBook, OrderSortKey } from './orderBook.js';
import { compileSearchQuery, SearchSyntaxError } from './searchQuery.js';

export type BulkStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'CANCELING' | 'CANCELED' | 'FAILED' | 'EXPIRED';
export type BulkErrorCode = 'ACCESS_DENIED' | 'INTERNAL_SERVER_ERROR' | 'TIMEOUT';

export interface BulkOperationRecord {
  legacyId: number;
  status: BulkStatus;
  errorCode: BulkErrorCode | null;
  createdSec: number;
  completedSec: number | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  query: string;
  /** The JSONL file while it is kept. */
  file: string | null;
  /** Whether `file` is the partial data of a failed run. */
  partial: boolean;
}

export const bulkPlanSchema = z
  .object({
    /** The next operation fails with this code once it has written `afterObjects` lines. */
    failNext: z.object({ errorCode: z.enum(['ACCESS_DENIED', 'INTERNAL_SERVER_ERROR', 'TIMEOUT']), afterObjects: z.number().int().min(0).default(0) }).strict().optional(),
    /** Orders (gids) whose own line the next operation writes as broken JSON (cut in half). */
    malformedOrders: z.array(z.string()).max(10_000).optional(),
    /** 1-based line numbers the next operation writes as broken JSON. */
    malformedLines: z.array(z.number().int().min(1)).max(10_000).optional(),
    /** The next `count` downloads of a result file stop (the connection is dropped) after `afterBytes` bytes. */
    cutDownloads: z.object({ afterBytes: z.number().int().min(0), count: z.number().int().min(1).max(1_000).default(1) }).strict().optional(),
    /** Throughput of the runs from now on, in objects per second (0: as fast as the sandbox writes). */
    objectsPerSecond: z.number().min(0).max(10_000_000).optional(),
  })
  .strict();
export type BulkPlan = z.infer<typeof bulkPlanSchema>;

export interface BulkOptions {
  /** CREATED → RUNNING after this long, in ms. */
  startDelayMs: number;
  /** Objects written per second (0: as fast as the sandbox can). */
  objectsPerSecond: number;
  /** Result files kept; an older one expires. */
  keepResults: number;
  /** How long a result link is valid (upstreams.md: the url expires after 7 days). */
  urlTtlMs: number;
}

export interface BulkCounters {
  started: number;
  completed: number;
  failed: number;
  canceled: number;
  refused: number;
  downloads: number;
}

export interface BulkOperations extends BulkPort {
  all(): BulkOperationRecord[];
  plan(patch: BulkPlan): BulkPlan & { objectsPerSecond: number };
  counters(): BulkCounters;
  resetCounters(): void;
  /** `GET /bulk-operation-results/{file}?expires=…&signature=…`. */
  download(file: string, query: Record<string, unknown>, range: string | undefined): BulkDownload;
  reset(): void;
  close(): void;
}

export interface BulkDeps {
  schema: GraphQLSchema;
  book: OrderBook;
  endpoint(): AdminEndpoint;
  /** This origin, for result links. */
  originUrl(): string;
  /** Told when an operation ends (the `bulk_operations/finish` webhook). */
  onFinish(op: BulkOperationRecord, version: string): void;
}

const PAGE = 250;

/** Read through a call: a cancel changes the status while a run awaits. */
const cancelRequested = (op: BulkOperationRecord) => op.status === 'CANCELING';

const emptyCounters = (): BulkCounters => ({ started: 0, completed: 0, failed: 0, canceled: 0, refused: 0, downloads: 0 });

export function createBulkOperations(options: BulkOptions, deps: BulkDeps): BulkOperations {
  const files = createResultFiles({ originUrl: deps.originUrl, ttlMs: options.urlTtlMs });
  let ops = new Map<number, BulkOperationRecord>();
  let nextId = 4_200_000_000_001;
  let plan: BulkPlan = {};
  let objectsPerSecond = options.objectsPerSecond;
  let counters = emptyCounters();
  const timers = new Set<NodeJS.Timeout>();
  const streams = new Set<WriteStream>();
  let generation = 0;

  const nowSec = () => Math.floor(Date.now() / 1000);
  // upstreams.md says nothing of an empty result; the vendor's url is null then, and so is this one.
  const link = (op: BulkOperationRecord): string | null => (op.file && op.objectCount > 0 ? files.link(op.legacyId, op.completedSec ?? nowSec()) : null);

  function view(op: BulkOperationRecord): View {
    const url = op.status === 'COMPLETED' ? link(op) : null;
    const partialDataUrl = op.status === 'FAILED' || op.status === 'CANCELED' ? link(op) : null;
    return {
      __typename: 'BulkOperation',
      id: gid('BulkOperation', op.legacyId),
      status: op.status,
      errorCode: op.errorCode,
      createdAt: iso(op.createdSec),
      completedAt: op.completedSec === null ? null : iso(op.completedSec),
      objectCount: String(op.objectCount),
      rootObjectCount: String(op.rootObjectCount),
      fileSize: op.fileSize === null ? null : String(op.fileSize),
      url,
      partialDataUrl,
      query: op.query,
      type: 'QUERY',
    };
  }

  const running = () => [...ops.values()].find((o) => o.status === 'CREATED' || o.status === 'RUNNING' || o.status === 'CANCELING');

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });
  }

  function expireOld(): void {
    const kept = [...ops.values()].filter((o) => o.file).sort((a, b) => b.legacyId - a.legacyId);
    for (const op of kept.slice(options.keepResults)) {
      rmSync(op.file!, { force: true });
      op.file = null;
      if (op.status === 'COMPLETED') op.status = 'EXPIRED';
    }
  }

  function finish(op: BulkOperationRecord, status: BulkStatus, version: string, errorCode: BulkErrorCode | null = null): void {
    op.status = status;
    op.errorCode = errorCode;
    op.completedSec = nowSec();
    op.partial = status !== 'COMPLETED';
    if (op.file) op.fileSize = statSync(op.file).size;
    if (status === 'COMPLETED') counters.completed++;
    else if (status === 'FAILED') counters.failed++;
    else if (status === 'CANCELED') counters.canceled++;
    expireOld();
    deps.onFinish(op, version);
  }

  async function run(op: BulkOperationRecord, document: DocumentNode, root: FieldNode, fragments: Record<string, FragmentDefinitionNode>, indices: readonly number[], version: string, runPlan: BulkPlan): Promise<void> {
    const mine = generation;
    await sleep(options.startDelayMs);
    if (mine !== generation) return;
    if (op.status === 'CANCELING') return finish(op, 'CANCELED', version);
    op.status = 'RUNNING';
    const file = files.pathOf(op.legacyId);
    op.file = file;
    const out = createWriteStream(file);
    streams.add(out);
    let writeFailed = false;
    out.on('error', () => {
      writeFailed = true;
    });
    const malformedOrders = new Set(runPlan.malformedOrders ?? []);
    const malformedLines = new Set(runPlan.malformedLines ?? []);
    const failAt = runPlan.failNext;
    const started = Date.now();
    let outcome: { status: BulkStatus; code: BulkErrorCode | null } = { status: 'COMPLETED', code: null };
    try {
      pages: for (let from = 0; from < indices.length || (failAt && from === 0); from += PAGE) {
        if (failAt && op.objectCount >= failAt.afterObjects) {
          outcome = { status: 'FAILED', code: failAt.errorCode };
          break;
        }
        if (from >= indices.length) break;
        const result = deps.endpoint().runBulk(document, indices.slice(from, from + PAGE), version);
        if (result.errors?.length || !result.data) {
          outcome = { status: 'FAILED', code: 'INTERNAL_SERVER_ERROR' };
          break;
        }
        for (const line of jsonlLines(deps.schema, root, fragments, result.data as Record<string, unknown>)) {
          if (mine !== generation) return;
          let text = JSON.stringify(line.value);
          if (malformedLines.has(op.objectCount + 1) || (line.root && malformedOrders.has(String(line.value.id)))) text = text.slice(0, Math.floor(text.length / 2));
          if (writeFailed) break pages;
          if (!out.write(`${text}\n`)) await new Promise<void>((resolve) => out.once('drain', resolve));
          op.objectCount++;
          if (line.root) op.rootObjectCount++;
          if (failAt && op.objectCount >= failAt.afterObjects) {
            outcome = { status: 'FAILED', code: failAt.errorCode };
            break pages;
          }
        }
        if (cancelRequested(op)) {
          outcome = { status: 'CANCELED', code: null };
          break;
        }
        // Yield between pages, so the origin answers polls while a run writes; pace when asked to.
        const due = objectsPerSecond > 0 ? started + (op.objectCount / objectsPerSecond) * 1000 - Date.now() : 0;
        await (due > 0 ? sleep(due) : new Promise<void>((resolve) => setImmediate(resolve)));
        if (mine !== generation) return;
      }
    } catch {
      outcome = { status: 'FAILED', code: 'INTERNAL_SERVER_ERROR' };
    }
    if (!writeFailed) await new Promise<void>((resolve) => out.end(resolve));
    streams.delete(out);
    if (mine !== generation) return;
    if (writeFailed) outcome = { status: 'FAILED', code: 'INTERNAL_SERVER_ERROR' };
    else if (cancelRequested(op)) outcome = { status: 'CANCELED', code: null };
    finish(op, outcome.status, version, outcome.code);
  }

  function refuse(message: string, code: BulkUserError['code'] = 'INVALID', field: string[] | null = ['query']) {
    counters.refused++;
    return { operation: null, userErrors: [{ field, message, code }] };
  }

  function start(query: string, ctx: AdminContext) {
    const busy = running();
    if (busy) return refuse(`A bulk query operation for this app and shop is already in progress: ${gid('BulkOperation', busy.legacyId)}.`, 'OPERATION_IN_PROGRESS', null);
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (err) {
      return refuse(`Invalid bulk query: ${err instanceof Error ? err.message : String(err)}`);
    }
    const errors = validate(deps.schema, document);
    if (errors.length > 0) return refuse(`Invalid bulk query: ${errors[0]!.message}`);
    const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (operations.length !== 1 || operations[0]!.kind !== Kind.OPERATION_DEFINITION) return refuse('Invalid bulk query: a bulk query has exactly one operation.');
    const operation = operations[0]!;
    if (operation.operation !== 'query') return refuse('Invalid bulk query: bulkOperationRunQuery runs queries (mutations run through bulkOperationRunMutation, which the sandbox does not serve).');
    if (operation.variableDefinitions?.length) return refuse('Invalid bulk query: bulk queries cannot use variables.');
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    const roots = operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD && !s.name.value.startsWith('__'));
    if (roots.length !== 1 || operation.selectionSet.selections.length !== 1) return refuse('Invalid bulk query: a bulk query selects one root connection.');
    const root = roots[0]!;
    const problem = bulkQueryProblem(deps.schema, root, fragments);
    if (problem) return refuse(`Invalid bulk query: ${problem}`);
    if (root.name.value !== 'orders') return refuse('Invalid bulk query: the sandbox runs bulk queries over the orders connection only.');

    const def = deps.schema.getQueryType()!.getFields().orders!;
    const args = getArgumentValues(def, root, {}) as { query?: string | null; sortKey: OrderSortKey; reverse?: boolean };
    let matches: ((i: number) => boolean) | null;
    try {
      matches = compileSearchQuery(args.query, deps.book).matches;
    } catch (err) {
      if (err instanceof SearchSyntaxError) return refuse(`Invalid bulk query: invalid search query: ${err.message}`);
      throw err;
    }
    // Which orders the run writes is decided now; their content is read as the run reaches them.
    const seq = deps.book.sequence(args.sortKey);
    const indices: number[] = [];
    for (let t = 0; t < seq.length; t++) {
      const i = seq.at(args.reverse ? seq.length - 1 - t : t);
      if (matches === null || matches(i)) indices.push(i);
    }
    const op: BulkOperationRecord = {
      legacyId: nextId++,
      status: 'CREATED',
      errorCode: null,
      createdSec: nowSec(),
      completedSec: null,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: null,
      query,
      file: null,
      partial: false,
    };
    ops.set(op.legacyId, op);
    counters.started++;
    const runPlan = plan;
    plan = {};
    void run(op, document, root, fragments, indices, ctx.version, runPlan);
    return { operation: view(op), userErrors: [] };
  }

  function cancel(legacyId: number) {
    const op = ops.get(legacyId);
    if (!op) return { operation: null, userErrors: [{ field: ['id'], message: 'Bulk operation does not exist' }] };
    if (op.status !== 'CREATED' && op.status !== 'RUNNING') {
      return { operation: view(op), userErrors: [{ field: null, message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` }] };
    }
    op.status = 'CANCELING';
    return { operation: view(op), userErrors: [] };
  }

  function download(name: string, query: Record<string, unknown>, range: string | undefined): BulkDownload {
    return files.download(name, query, range, (id) => {
      const op = ops.get(id);
      return op && (op.status === 'COMPLETED' || op.status === 'FAILED' || op.status === 'CANCELED') ? op.file : null;
    });
  }

  function clear(): void {
    generation++;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    for (const s of streams) s.destroy();
    streams.clear();
    files.clear();
    ops = new Map();
  }

  return {
    start,
    cancel,
    current: (type) => {
      if (type !== 'QUERY') return null;
      const latest = [...ops.values()].sort((a, b) => b.legacyId - a.legacyId)[0];
      return latest ? view(latest) : null;
    },
    get: (legacyId) => {
      const op = ops.get(legacyId);
      return op ? view(op) : null;
    },
    all: () => [...ops.values()].map((o) => ({ ...o })),
    plan(patch) {
      const { cutDownloads, objectsPerSecond: rate, ...next } = patch;
      plan = { ...plan, ...next };
      if (cutDownloads) files.cutNext(cutDownloads.afterBytes, cutDownloads.count);
      if (rate !== undefined) objectsPerSecond = rate;
      const cuts = files.cuts();
      return { ...plan, ...(cuts ? { cutDownloads: cuts } : {}), objectsPerSecond };
    },
    counters: () => ({ ...counters, downloads: files.downloads() }),
    resetCounters() {
      counters = emptyCounters();
      files.resetCounters();
    },
    download,
    reset() {
      clear();
      plan = {};
      objectsPerSecond = options.objectsPerSecond;
    },
    close: clear,
  };
}
