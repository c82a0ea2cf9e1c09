/** Which engine errors mean "unreachable, nothing recorded, try again" (src/records/recordErrors.ts) and which stay bugs. */
import { describe, expect, it } from 'vitest';
import { isRecordStoreDown, RecordDeadlineError } from '../../src/records/recordErrors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isRecordStoreDown', () => {
  it('is true for a server gone, starting, stopping, out of room, or past a deadline, on either engine', () => {
    for (const code of ['08006', '08001', '57P01', '57P03', '57014', '55P03', '53300', '53100', '25006', '40001', '40P01', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_FULL', 'SQLITE_IOERR_WRITE']) {
      expect(isRecordStoreDown(withCode(code)), code).toBe(true);
    }
    expect(isRecordStoreDown(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isRecordStoreDown(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isRecordStoreDown(new RecordDeadlineError('slow'))).toBe(true);
    expect(isRecordStoreDown(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]))).toBe(true);
    expect(isRecordStoreDown(new Error('wrapped', { cause: withCode('57P01') }))).toBe(true);
  });

  it('is false for what a retry would not fix: a constraint, a missing table, a syntax error, a bug', () => {
    for (const code of ['23505', '23502', '42P01', '42601', '22P02', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR']) {
      expect(isRecordStoreDown(withCode(code)), code).toBe(false);
    }
    expect(isRecordStoreDown(new TypeError('undefined is not a function'))).toBe(false);
    expect(isRecordStoreDown('ECONNREFUSED')).toBe(false);
    expect(isRecordStoreDown(null)).toBe(false);
  });
});
