/**
 * Runs M3 MI transactions the way M3's REST API answers them (upstreams.md,
 * "M3 MI REST"): every value a string, alphanumeric fields right-padded to
 * their M3 length unless `righttrim=true`, empty fields left out unless
 * `excludeempty=false`, `returncols` choosing the fields, `maxrecs` bounding
 * lists (M3's default 100; 0 means no bound, which the sandbox caps at
 * 10,000), and the envelope `{results, wasTerminated,
 * nrOfSuccessfullTransactions, nrOfFailedTransactions}` ("Successfull" is the
 * vendor's spelling) whether or not a transaction failed.
 */
import type { Nok, TransactionContext, TransactionSpec } from './transactions.js';

export interface MiOptions {
  maxRecords: number;
  returnColumns?: readonly string[];
  rightTrim: boolean;
  excludeEmpty: boolean;
}

export interface MiResult {
  transaction: string;
  records: Array<Record<string, string>>;
  errorMessage?: string;
  errorType?: string;
  errorCode?: string;
  errorField?: string;
}

export interface MiEnvelope {
  results: MiResult[];
  wasTerminated: boolean;
  nrOfSuccessfullTransactions: number;
  nrOfFailedTransactions: number;
}

export const DEFAULT_MAXRECS = 100;
const UNBOUNDED_CAP = 10_000;

/** The options a request states, read from query or matrix parameters (their own names; matrix spells `excludempty`). */
export function readOptions(params: Readonly<Record<string, string | undefined>>, matrix: boolean): MiOptions {
  const maxrecs = params.maxrecs !== undefined && /^\d{1,9}$/.test(params.maxrecs) ? Number(params.maxrecs) : DEFAULT_MAXRECS;
  const excludeEmpty = matrix ? params.excludempty : params.excludeempty;
  return {
    maxRecords: maxrecs === 0 ? UNBOUNDED_CAP : Math.min(maxrecs, UNBOUNDED_CAP),
    returnColumns: params.returncols ? params.returncols.split(',').map((c) => c.trim()).filter(Boolean) : undefined,
    rightTrim: params.righttrim === 'true',
    excludeEmpty: excludeEmpty !== 'false',
  };
}

function validate(spec: TransactionSpec, input: Readonly<Record<string, string>>): Nok | undefined {
  for (const [name, def] of Object.entries(spec.inputs)) {
    const value = input[name];
    if (value === undefined || value.trim() === '') {
      if (def.mandatory) return { type: 'MandatoryInputFieldNotFound', message: `Input field ${name} is mandatory`, code: `W${name}02`, field: name };
      continue;
    }
    if (value.length > def.length) return { type: 'InputFieldTooLong', message: `Input field ${name} is longer than ${def.length} characters`, field: name };
    if (def.numeric && !/^-?\d+(\.\d+)?$/.test(value.trim())) return { type: 'ServerReturnedNOK', message: `Field ${name} must be numeric`, code: `W${name}01`, field: name };
  }
  return undefined;
}

/** One transaction's result entry. `company`: the one company; another CONO is refused. */
export function runTransaction(name: string, spec: TransactionSpec, rawInput: Readonly<Record<string, string>>, options: MiOptions, ctx: Omit<TransactionContext, 'maxRecords'>): MiResult {
  // Field values are matched trimmed, as M3 stores them.
  const input = Object.fromEntries(Object.entries(rawInput).map(([k, v]) => [k, v.trim()]));
  const problem = validate(spec, input) ?? (input.CONO && input.CONO !== ctx.data.company ? { type: 'ServerReturnedNOK' as const, message: `Company ${input.CONO} does not exist`, code: 'WCONO03', field: 'CONO' } : undefined);
  const outcome = problem ? { nok: problem } : spec.run(input, { ...ctx, maxRecords: options.maxRecords });
  if ('nok' in outcome) {
    const n = outcome.nok;
    return { transaction: name, records: [], errorMessage: n.message, errorType: n.type, ...(n.code ? { errorCode: n.code } : {}), ...(n.field ? { errorField: n.field } : {}) };
  }
  const records = outcome.records.slice(0, options.maxRecords).map((record) => {
    const out: Record<string, string> = {};
    const fields = options.returnColumns ?? Object.keys(spec.outputs);
    for (const field of fields) {
      const def = spec.outputs[field];
      const raw = record[field];
      if (!def || raw === undefined) continue;
      if (options.excludeEmpty && raw.trim() === '') continue;
      out[field] = options.rightTrim || def.numeric ? raw : raw.padEnd(def.length, ' ');
    }
    return out;
  });
  return { transaction: name, records };
}

export function envelope(results: MiResult[]): MiEnvelope {
  const failed = results.filter((r) => r.errorType !== undefined).length;
  return { results, wasTerminated: false, nrOfSuccessfullTransactions: results.length - failed, nrOfFailedTransactions: failed };
}
