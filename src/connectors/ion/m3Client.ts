/**
 * M3 MI REST on the shared HTTP machinery (upstreams.md, "M3 MI REST"):
 * one transaction by `GET …/execute/{PROGRAM}/{TRANSACTION}?FIELD=value…`,
 * many of one program by the bulk `POST …/execute` (the batch form loaders
 * use), with the options the connector always wants — `righttrim=true` (and
 * values trimmed anyway: M3 right-pads unless told), `excludeempty=false`
 * (every asked field present, empty or not), `dateformat=YMD8`, an explicit
 * `maxrecs` (M3 reads 0 as "no bound", which is never sent) — and
 * `returncols` when the caller names its fields.
 *
 * Generic by design: any program and transaction, reads or writes. A write
 * that is not idempotent upstream (OIS100MI AddBatchHead, AddBatchLine,
 * Confirm) passes `idempotent: false`, so an unknown outcome is never resent
 * blind (DESIGN.md, retry policy); its caller looks the order up by CUOR.
 *
 * HTTP 200 is not success: a result with `errorType` is a business error
 * (`failure` on that result), never data; the caller decides what it means
 * (m3Errors.ts maps it to a typed error).
 */
import type { Lane } from '../../domain/ports.js';
import type { UpstreamClient, UpstreamVendor } from '../../upstreams/http.js';
import { parseRetryAfter } from '../../upstreams/retryAfter.js';
import { UpstreamError } from '../../upstreams/upstreamError.js';
import { ionErrorMessage, isMiEnvelope, type MiBulkRequestWire, type MiResultWire } from './wire.js';

export interface MiFailure {
  /** M3's errorType, e.g. `MandatoryInputFieldNotFound`, `InputFieldTooLong`, `ServerReturnedNOK`. */
  type: string;
  message: string;
  code?: string;
  field?: string;
}

export interface MiResult {
  transaction: string;
  /** Field → value, every value a trimmed string. */
  records: Array<Record<string, string>>;
  failure?: MiFailure;
}

export interface MiCallOptions {
  lane: Lane;
  /** Records per transaction (`maxrecs`). @default 100 (M3's own default) */
  maxRecords?: number;
  /** Only these fields (`returncols` / `selectedColumns`). */
  returnColumns?: readonly string[];
  /** Safe to resend after an unknown outcome. @default true (reads); false for a write that is not idempotent upstream */
  idempotent?: boolean;
  signal?: AbortSignal;
}

export interface MiTransaction {
  transaction: string;
  record: Readonly<Record<string, string>>;
  returnColumns?: readonly string[];
}

export interface M3Client {
  execute(program: string, transaction: string, record: Readonly<Record<string, string>>, options: MiCallOptions): Promise<MiResult>;
  /** One result per transaction, in order; split into calls of at most `bulkMaxTransactions`, sent in parallel. */
  executeBulk(program: string, transactions: readonly MiTransaction[], options: MiCallOptions): Promise<MiResult[]>;
}

export interface M3ClientOptions {
  /** The M3 company (`cono`); absent: the service account's default company. */
  company?: string;
  /** The division (`divi`). */
  division?: string;
  /** Most transactions in one bulk call (ION_BULK_MAX_TRANSACTIONS). */
  bulkMaxTransactions: number;
}

const DEFAULT_MAXRECS = 100;
/** Options M3 reads as query parameters (upstreams.md); the spelling is M3's. */
const ALWAYS = { righttrim: 'true', excludeempty: 'false', dateformat: 'YMD8' } as const;

function toResult(wire: MiResultWire | undefined, transaction: string): MiResult {
  if (!wire) return { transaction, records: [], failure: { type: 'Terminated', message: 'the bulk call ended before this transaction ran' } };
  const records = (wire.records ?? []).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v).trim()])));
  if (wire.errorType || wire.errorMessage) {
    return {
      transaction,
      records,
      failure: {
        type: wire.errorType ?? 'ServerReturnedNOK',
        message: (wire.errorMessage ?? 'the transaction was refused').trim(),
        ...(wire.errorCode ? { code: wire.errorCode.trim() } : {}),
        ...(wire.errorField ? { field: wire.errorField.trim() } : {}),
      },
    };
  }
  return { transaction, records };
}

export function createM3Client(http: UpstreamClient, options: M3ClientOptions): M3Client {
  const company = options.company ? { cono: options.company } : {};
  const division = options.division ? { divi: options.division } : {};

  function envelopeOf(status: number, body: unknown, what: string) {
    if (status === 404) throw new UpstreamError('rejected', http.name, `${what}: M3 answered 404 (check the ION gateway URL and tenant)`, { status });
    if (!isMiEnvelope(body)) throw new UpstreamError('rejected', http.name, `${what}: not an M3 MI answer`, { status });
    return body;
  }

  return {
    async execute(program, transaction, record, o) {
      const res = await http.request({
        method: 'GET',
        path: ['execute', program, transaction],
        query: {
          ...record,
          ...ALWAYS,
          ...company,
          ...division,
          maxrecs: o.maxRecords ?? DEFAULT_MAXRECS,
          returncols: o.returnColumns?.length ? o.returnColumns.join(',') : undefined,
        },
        endpoint: `m3.${program}.${transaction}`,
        lane: o.lane,
        idempotent: o.idempotent ?? true,
        signal: o.signal,
      });
      const env = envelopeOf(res.status, res.body, `${program}/${transaction}`);
      return toResult(env.results[0], transaction);
    },

    async executeBulk(program, transactions, o) {
      const size = options.bulkMaxTransactions;
      const chunks: Array<readonly MiTransaction[]> = [];
      for (let i = 0; i < transactions.length; i += size) chunks.push(transactions.slice(i, i + size));
      const answered = await Promise.all(
        chunks.map(async (chunk) => {
          const body: MiBulkRequestWire = {
            program,
            ...(options.company ? { cono: options.company } : {}),
            maxReturnedRecords: o.maxRecords ?? DEFAULT_MAXRECS,
            transactions: chunk.map((t) => ({
              transaction: t.transaction,
              record: { ...t.record, ...(options.division && t.record.DIVI === undefined ? { DIVI: options.division } : {}) },
              ...(t.returnColumns?.length ? { selectedColumns: [...t.returnColumns] } : {}),
            })),
          };
          const res = await http.request({
            method: 'POST',
            path: ['execute'],
            query: { ...ALWAYS },
            body,
            endpoint: `m3.bulk.${program}`,
            lane: o.lane,
            idempotent: o.idempotent ?? true,
            signal: o.signal,
          });
          const env = envelopeOf(res.status, res.body, `${program} (bulk)`);
          // upstreams.md: one results[] entry per transaction, in the order sent.
          return chunk.map((t, i) => toResult(env.results[i], t.transaction));
        }),
      );
      return answered.flat();
    },
  };
}

/** How the ION API gateway is spoken to: the bearer token, one refresh on a 401, Retry-After on a 429 (no quota headers). */
export function ionGatewayVendor(tokens: { authorization(): Promise<string>; unauthorized(refused: string | undefined): Promise<void> }): UpstreamVendor {
  return {
    authHeaders: async () => ({ authorization: await tokens.authorization() }),
    refreshAuth: (refused) => tokens.unauthorized(refused.authorization),
    quotaReport(status, headers) {
      // upstreams.md: ION's throttling policies publish no figures and send no quota headers; a 429 may say when.
      const retryAfterMs = status === 429 ? parseRetryAfter(headers['retry-after']) : undefined;
      return retryAfterMs !== undefined ? { retryAfterMs } : {};
    },
    errorMessage: ionErrorMessage,
  };
}
