/**
 * Why a bulk request was refused before any work: a typed error with the
 * HTTP status it intends and a stable `reason`, answered as the gateway's
 * other refusals are (`{ errors: [{ message, extensions: { code, reason } }] }`).
 * Nothing is written for a refused request.
 */
export type BulkRefusalReason =
  | 'UNKNOWN_KIND'
  | 'WRONG_CONTENT_TYPE'
  | 'FILE_TOO_LARGE'
  | 'EMPTY_FILE'
  | 'NO_HEADER'
  | 'NOT_UTF8'
  | 'NO_SUCH_JOB'
  | 'UPLOAD_ABORTED'
  | 'BAD_PARAMETER';

export class BulkRefusal extends Error {
  override name = 'BulkRefusal';
  constructor(
    /** 400, 404, 413 or 415. */
    readonly status: number,
    /** The error code clients switch on (BAD_USER_INPUT, NOT_FOUND, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE). */
    readonly code: string,
    readonly reason: BulkRefusalReason,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badInput = (reason: BulkRefusalReason, message: string, extensions: Record<string, unknown> = {}) => new BulkRefusal(400, 'BAD_USER_INPUT', reason, message, extensions);
