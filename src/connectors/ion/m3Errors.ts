/**
 * What an M3 business error means to a client (upstreams.md: HTTP 200 with
 * `nrOfFailedTransactions > 0` and an `errorType`): a typed error naming the
 * field, never data. The input was wrong (a mandatory field missing, a value
 * too long) → BAD_USER_INPUT; M3 refused it by a business rule
 * (`ServerReturnedNOK`, anything else) → UPSTREAM_ERROR. Both carry the
 * program, transaction, errorType, M3's code and the field in `extensions`.
 *
 * "Record does not exist" is the one refusal a reader treats as an answer
 * (no such item: a null). M3 says it with ServerReturnedNOK, the key field
 * and a message id ending in 03 ("… does not exist"); the vendor documents
 * no list of ids, so this guess is kept here, in one place.
 */
import { ErrorCode, crossdockError, type CrossdockError } from '../../errors/crossdockError.js';
import { redactText } from '../../observability/redact.js';
import type { MiFailure } from './m3Client.js';

/** The failure says the record keyed by `field` does not exist. */
export function isRecordMissing(failure: MiFailure, field: string): boolean {
  if (failure.type !== 'ServerReturnedNOK' || (failure.field !== undefined && failure.field !== field)) return false;
  return /03$/.test(failure.code ?? '') || /does not exist|not found/i.test(failure.message);
}

export function miError(upstream: string, program: string, transaction: string, failure: MiFailure): CrossdockError {
  const extensions = {
    upstream,
    program,
    transaction,
    errorType: failure.type,
    ...(failure.code ? { errorCode: failure.code } : {}),
    ...(failure.field ? { field: failure.field } : {}),
  };
  // M3's message may quote the input it refused.
  const said = redactText(failure.message);
  const where = `${program}/${transaction}`;
  switch (failure.type) {
    case 'MandatoryInputFieldNotFound':
      return crossdockError(ErrorCode.BAD_USER_INPUT, `${where}: mandatory field ${failure.field ?? '(unnamed)'} is missing (M3: ${said})`, extensions);
    case 'InputFieldTooLong':
      return crossdockError(ErrorCode.BAD_USER_INPUT, `${where}: field ${failure.field ?? '(unnamed)'} is too long (M3: ${said})`, extensions);
    default:
      return crossdockError(ErrorCode.UPSTREAM_ERROR, `${where} refused${failure.field ? ` (field ${failure.field})` : ''}: ${said}`, extensions);
  }
}
