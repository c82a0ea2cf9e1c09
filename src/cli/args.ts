/**
 * Command line → one typed command, with node:util parseArgs and nothing
 * else. Kept apart from main.ts so that every usage mistake is a UsageError
 * (exit code 2, with the usage text) decided before any network call, and so
 * the parsing is testable without spawning a process. Values the gateway
 * validates itself (such as --limit's range) are passed through: the gateway
 * is the one authority on what a scope may be.
 */
import { parseArgs } from 'node:util';

export const DEFAULT_URL = 'http://127.0.0.1:4000';

const COMMANDS = `Usage:
  crossdock sync <catalog|price|inventory> [options]   start a sync job
  crossdock status <jobId> [--watch]                   show a job (and follow it)
  crossdock cancel <jobId>                             cancel a queued or running job
  crossdock migrate [--from-redis REDIS_URL]           bring the record database up to this version
                                                       (and copy the last release's Redis records into it)
  crossdock import <file.csv> --kind <kind> [--watch]  import a CSV file (part-list, price-overrides, stock-overrides)
  crossdock export <kind> > file.csv                   export CSV (catalog, drift, sync-failures, supplier-orders)
  crossdock schema [--federation]                      print the schema's SDL (no gateway needed)`;

/** After a usage mistake: the commands, and where the rest is. */
export const SHORT_USAGE = `${COMMANDS}
Run crossdock --help for every option.`;

export const USAGE = `${COMMANDS}

Sync options:
  --watch, -w              follow the job until it ends (progress on stderr)
  --dry-run                plan the changes and write nothing
  --manufacturer M         only parts of this manufacturer (exact name)
  --part-number PN         only these part numbers (repeat it, or comma-separate)
  --query Q                only parts matching this supplier search
  --limit N                at most N parts

Import options:
  --kind K                 part-list, price-overrides or stock-overrides
  --dry-run                plan the changes and write nothing
  --watch, -w              follow the import job until it ends

Export options:
  --job ID                 sync-failures: the job whose failures to export
  --manufacturer M, --query Q, --limit N, --in-store
                           catalog and drift: narrow the parts

Schema options:
  --federation             the Federation v2 subgraph SDL a supergraph composes
                           (what _service { sdl } answers with FEDERATION=true)

Connection (sync, status, cancel):
  --url URL                the gateway (env CROSSDOCK_URL; default ${DEFAULT_URL})
  --key KEY                API key, role operator or admin to start and cancel
                           (env CROSSDOCK_API_KEY, preferred: a flag shows in ps)
  --help, -h               this text
  --version                the CLI's version

migrate (no gateway, no key: it opens the database itself):
  the PostgreSQL at DATABASE_URL, else the SQLite file in CROSSDOCK_DATA_DIR
  (default ./data); prints each migration it applies. Exit 1 when one fails,
  3 when the database cannot be reached.
  --from-redis URL         then copy the records a scale-out deployment of the
                           last release kept in Redis (keys under REDIS_KEY_PREFIX,
                           default crossdock:) into it; once, before the upgraded
                           instances start. Run again, it copies nothing new.

Exit codes:
  0  started; or, watching, the job SUCCEEDED (even with failed items)
  1  the job FAILED or was CANCELLED, or the gateway refused the request
  2  usage error (bad arguments, no API key)
  3  cannot reach the gateway, or it refused the API key
  130  detached with Ctrl-C while watching (the job keeps running)`;

export type SyncKind = 'CATALOG' | 'PRICE' | 'INVENTORY';

export interface Connection {
  /** The gateway's base URL, without a trailing slash or /graphql. */
  url: string;
  key: string;
}

export interface SyncScopeInput {
  manufacturer?: string;
  partNumbers?: string[];
  query?: string;
  limit?: number;
}

export type ImportKindArg = 'PART_LIST' | 'PRICE_OVERRIDES' | 'STOCK_OVERRIDES';
export type ExportKindArg = 'catalog' | 'drift' | 'sync-failures' | 'supplier-orders';
const IMPORT_KINDS: Record<string, ImportKindArg> = { 'part-list': 'PART_LIST', 'price-overrides': 'PRICE_OVERRIDES', 'stock-overrides': 'STOCK_OVERRIDES' };
const EXPORT_KINDS: readonly ExportKindArg[] = ['catalog', 'drift', 'sync-failures', 'supplier-orders'];

export type Command =
  | { name: 'help' }
  | { name: 'version' }
  | { name: 'sync'; kind: SyncKind; watch: boolean; dryRun: boolean; scope: SyncScopeInput | null; connection: Connection }
  | { name: 'status'; id: string; watch: boolean; connection: Connection }
  | { name: 'cancel'; id: string; connection: Connection }
  | { name: 'migrate'; fromRedis?: string }
  | { name: 'schema'; federation: boolean }
  | { name: 'import'; file: string; kind: ImportKindArg; dryRun: boolean; watch: boolean; connection: Connection }
  | { name: 'export'; kind: ExportKindArg; params: Record<string, string>; connection: Connection };

/** A mistake in how the CLI was called: exit code 2, with the usage text. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** Whether the commands are worth repeating (not for, say, a missing key). */
    readonly showUsage = true,
  ) {
    super(message);
  }
}

const KINDS: Record<string, SyncKind> = { catalog: 'CATALOG', price: 'PRICE', inventory: 'INVENTORY' };

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  watch: { type: 'boolean', short: 'w' },
  'dry-run': { type: 'boolean' },
  manufacturer: { type: 'string' },
  'part-number': { type: 'string', multiple: true },
  query: { type: 'string' },
  limit: { type: 'string' },
  url: { type: 'string' },
  key: { type: 'string' },
  'from-redis': { type: 'string' },
  federation: { type: 'boolean' },
  kind: { type: 'string' },
  job: { type: 'string' },
  'in-store': { type: 'boolean' },
} as const;

const SYNC_ONLY = ['dry-run', 'manufacturer', 'part-number', 'query', 'limit'] as const;

/**
 * parseArgs refuses `--limit -1` as ambiguous; a negative number after a
 * numeric option is its value (the gateway then says why it is out of range).
 */
function joinNegativeNumbers(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a === '--limit' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/** Node's parse errors name the option; drop the advice that does not apply here. */
function parseErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
}

export function normalizeUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new UsageError(`--url: "${raw}" is not a URL (e.g. ${DEFAULT_URL})`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--url: "${raw}" must be http or https`);
  if (u.username || u.password) throw new UsageError('--url: give the API key with --key or CROSSDOCK_API_KEY, not in the URL');
  u.search = '';
  u.hash = '';
  return u.toString().replace(/\/+$/, '').replace(/\/graphql$/, '');
}

function parseLimit(raw: string): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--limit: "${raw}" is not a whole number`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new UsageError(`--limit: "${raw}" is too large`);
  return n;
}

function connectionFrom(values: { url?: string; key?: string }, env: NodeJS.ProcessEnv): Connection {
  const url = normalizeUrl(values.url ?? env.CROSSDOCK_URL ?? DEFAULT_URL);
  const key = (values.key ?? env.CROSSDOCK_API_KEY ?? '').trim();
  if (!key) {
    throw new UsageError('no API key: set CROSSDOCK_API_KEY (or pass --key). `npm start` prints a development key; starting and cancelling syncs needs role operator or admin.', false);
  }
  return { url, key };
}

function oneId(command: string, positionals: string[]): string {
  const [id, ...extra] = positionals;
  if (!id) throw new UsageError(`${command}: which job? crossdock ${command} <jobId>`);
  if (extra.length) throw new UsageError(`${command}: unexpected argument "${extra[0]}"`);
  return id.trim();
}

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeNumbers(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(parseErrorMessage(err));
  }
  const { values } = parsed;
  const [command, ...rest] = parsed.positionals;
  if (values.help || command === 'help') return { name: 'help' };
  if (values.version) return { name: 'version' };
  if (!command) throw new UsageError('which command? sync, status, cancel, import, export, migrate or schema');
  if (command !== 'schema' && values.federation !== undefined) throw new UsageError(`--federation is an option of schema, not ${command}`);

  // import takes --dry-run; export narrows the catalog with --manufacturer, --query and --limit.
  const allowed: Record<string, readonly string[]> = { sync: SYNC_ONLY, import: ['dry-run'], export: ['manufacturer', 'query', 'limit'] };
  const misplaced = SYNC_ONLY.find((o) => values[o] !== undefined && !(allowed[command] ?? []).includes(o));
  if (misplaced) throw new UsageError(`--${misplaced} is an option of sync${misplaced === 'dry-run' ? ' and import' : ['manufacturer', 'query', 'limit'].includes(misplaced) ? ' and export' : ''}, not ${command}`);
  if (command !== 'import' && values.kind !== undefined) throw new UsageError(`--kind is an option of import, not ${command}`);
  if (command !== 'export' && (values.job !== undefined || values['in-store'] !== undefined)) throw new UsageError(`--${values.job !== undefined ? 'job' : 'in-store'} is an option of export, not ${command}`);
  if (command !== 'migrate' && values['from-redis'] !== undefined) throw new UsageError(`--from-redis is an option of migrate, not ${command}`);

  switch (command) {
    case 'sync': {
      const [kindArg, ...extra] = rest;
      if (!kindArg) throw new UsageError('sync: which kind? catalog, price or inventory');
      const kind = KINDS[kindArg.toLowerCase()];
      if (!kind) throw new UsageError(`sync: unknown kind "${kindArg}" (catalog, price or inventory)`);
      if (extra.length) throw new UsageError(`sync: unexpected argument "${extra[0]}"`);
      const scope: SyncScopeInput = {};
      if (values.manufacturer !== undefined) scope.manufacturer = values.manufacturer;
      if (values.query !== undefined) scope.query = values.query;
      if (values['part-number'] !== undefined) {
        const pns = values['part-number'].flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
        if (pns.length === 0) throw new UsageError('--part-number: give at least one part number');
        scope.partNumbers = pns;
      }
      if (values.limit !== undefined) scope.limit = parseLimit(values.limit);
      return {
        name: 'sync',
        kind,
        watch: values.watch ?? false,
        dryRun: values['dry-run'] ?? false,
        scope: Object.keys(scope).length ? scope : null,
        connection: connectionFrom(values, env),
      };
    }
    case 'status':
      return { name: 'status', id: oneId('status', rest), watch: values.watch ?? false, connection: connectionFrom(values, env) };
    case 'cancel':
      if (values.watch) throw new UsageError('--watch is an option of sync and status, not cancel');
      return { name: 'cancel', id: oneId('cancel', rest), connection: connectionFrom(values, env) };
    case 'migrate': {
      const misplaced = (['watch', 'url', 'key'] as const).find((o) => values[o] !== undefined);
      if (misplaced) throw new UsageError(`--${misplaced} is not an option of migrate (it reads DATABASE_URL or CROSSDOCK_DATA_DIR)`);
      if (rest.length) throw new UsageError(`migrate: unexpected argument "${rest[0]}"`);
      const fromRedis = values['from-redis'];
      if (fromRedis === undefined) return { name: 'migrate' };
      // Never echo it: the URL may carry a password.
      if (!/^rediss?:\/\/./.test(fromRedis.trim())) throw new UsageError('--from-redis: must be a redis:// or rediss:// URL');
      return { name: 'migrate', fromRedis: fromRedis.trim() };
    }
    case 'schema': {
      // Printed from the schema files: no gateway, key or URL involved (CI composes from it).
      if (rest.length) throw new UsageError(`schema: unexpected argument "${rest[0]}"`);
      if (values.watch) throw new UsageError('--watch is an option of sync and status, not schema');
      return { name: 'schema', federation: values.federation ?? false };
    }
    case 'import': {
      const [file, ...extra] = rest;
      if (!file) throw new UsageError('import: which file? crossdock import <file.csv> --kind part-list');
      if (extra.length) throw new UsageError(`import: unexpected argument "${extra[0]}"`);
      if (!values.kind) throw new UsageError('import: --kind part-list, price-overrides or stock-overrides');
      const kind = IMPORT_KINDS[values.kind.toLowerCase().replace(/_/g, '-')];
      if (!kind) throw new UsageError(`import: unknown --kind "${values.kind}" (part-list, price-overrides or stock-overrides)`);
      return { name: 'import', file, kind, dryRun: values['dry-run'] ?? false, watch: values.watch ?? false, connection: connectionFrom(values, env) };
    }
    case 'export': {
      const [kindArg, ...extra] = rest;
      if (!kindArg) throw new UsageError(`export: which kind? ${EXPORT_KINDS.join(', ')}`);
      if (extra.length) throw new UsageError(`export: unexpected argument "${extra[0]}"`);
      const kind = EXPORT_KINDS.find((k) => k === kindArg.toLowerCase().replace(/\.csv$/, ''));
      if (!kind) throw new UsageError(`export: unknown kind "${kindArg}" (${EXPORT_KINDS.join(', ')})`);
      if (values.watch) throw new UsageError('--watch is an option of sync, status and import, not export');
      if (kind === 'sync-failures' && !values.job) throw new UsageError('export sync-failures: --job <jobId>');
      const params: Record<string, string> = {};
      if (values.job !== undefined) params.job = values.job;
      if (values.manufacturer !== undefined) params.manufacturer = values.manufacturer;
      if (values.query !== undefined) params.query = values.query;
      if (values.limit !== undefined) params.limit = String(parseLimit(values.limit));
      if (values['in-store']) params.inStore = 'true';
      return { name: 'export', kind, params, connection: connectionFrom(values, env) };
    }
    default:
      throw new UsageError(`unknown command "${command}" (sync, status, cancel, import, export, migrate or schema)`);
  }
}
