/**
 * What Infor ION sends, as upstreams.md ("Infor ION API / M3 ERP")
 * describes it: the OAuth2 token answer and M3 MI REST's envelope, where
 * every record value is a string (right-padded unless `righttrim`) and a
 * business error is an HTTP 200 whose result carries `errorType`.
 * The connector's own reading of the docs; nothing is shared with the
 * sandbox twin (DESIGN.md, principle 5).
 */

/** `POST {pu}{ot}` → RFC 6749 §5.1. */
export interface IonTokenWire {
  access_token: string;
  token_type: string;
  /** Seconds. */
  expires_in: number;
  refresh_token?: string;
}

/** RFC 6749 §5.2, also what the API gateway answers a refused bearer token. */
export interface IonOAuthErrorWire {
  error?: string;
  error_description?: string;
}

export interface MiResultWire {
  transaction?: string;
  records?: Array<Record<string, unknown>>;
  errorMessage?: string;
  errorType?: string;
  errorCode?: string;
  errorField?: string;
}

/** `GET …/execute/{PROGRAM}/{TRANSACTION}` and the bulk `POST …/execute` both answer this. */
export interface MiEnvelopeWire {
  results?: MiResultWire[];
  wasTerminated?: boolean;
  /** "Successfull" is the vendor's spelling. */
  nrOfSuccessfullTransactions?: number;
  nrOfFailedTransactions?: number;
}

/** The bulk request: many transactions of one program in one call. */
export interface MiBulkRequestWire {
  program: string;
  cono?: string;
  maxReturnedRecords?: number;
  transactions: Array<{ transaction: string; record: Record<string, string>; selectedColumns?: string[] }>;
}

export function isMiEnvelope(body: unknown): body is MiEnvelopeWire & { results: MiResultWire[] } {
  return typeof body === 'object' && body !== null && Array.isArray((body as MiEnvelopeWire).results);
}

export function isTokenAnswer(body: unknown): body is IonTokenWire {
  const b = body as Partial<IonTokenWire> | null;
  return typeof b === 'object' && b !== null && typeof b.access_token === 'string' && b.access_token.length > 0 && typeof b.expires_in === 'number';
}

/** The message an error body of ION carries (token endpoint, gateway, or M3's 400 for an unknown transaction). */
export function ionErrorMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  for (const key of ['error_description', 'errorMessage', 'message', 'error']) {
    if (typeof b[key] === 'string' && b[key]) return b[key] as string;
  }
  return undefined;
}
