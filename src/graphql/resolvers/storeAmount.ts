/**
 * A store amount for the graph: the value, or an UPSTREAM_ERROR on that one
 * field when the store sent something that is not a number (map.ts keeps it
 * as null rather than inventing 0.00). The error names what it is about, so
 * the rest of the response — other products, other fields — stands.
 */
import type { Money } from '../../domain/money.js';
import { ErrorCode, gatewayError } from '../errors.js';

export function storeAmount(value: Money | null, what: string, upstream: string): Money {
  if (value) return value;
  throw gatewayError(ErrorCode.UPSTREAM_ERROR, `${upstream} sent ${what} that is not a number`, { upstream });
}
