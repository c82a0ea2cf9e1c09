/**
 * An error the gateway means a client to see, raised anywhere below the
 * transports (jobs, orders, auth). Shaped like a GraphQLError where it matters:
 * `extensions` with the stable `code`, which graphql-js copies when it wraps
 * the error at a field (GraphQLError takes `originalError.extensions`), so the
 * graph, SSE and WebSocket all show the same code without importing graphql here.
 */
import { ErrorCode } from './errorCode.js';

/**
 * The mark client-facing errors carry. A symbol from the global registry, not
 * `instanceof`: graphql may be loaded twice (its ESM and CJS builds), and a
 * GraphQLError made by the other copy must still be recognised.
 */
const CLIENT_FACING = Symbol.for('crossdock.gatewayError');

export class CrossdockError extends Error {
  override name = 'CrossdockError';
  readonly extensions: Readonly<Record<string, unknown>> & { readonly code: ErrorCode };

  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message);
    this.extensions = { ...extensions, code };
    markClientFacing(this);
  }

  get code(): ErrorCode {
    return this.extensions.code;
  }
}

export function crossdockError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): CrossdockError {
  return new CrossdockError(code, message, extensions);
}

/** Marks an error (a GraphQLError made by the graph layer) as one a client may see. */
export function markClientFacing<E extends object>(err: E): E {
  Object.defineProperty(err, CLIENT_FACING, { value: true });
  return err;
}

export function isClientFacing(err: unknown): err is { message: string; extensions?: Record<string, unknown> } {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[CLIENT_FACING] === true;
}

export { ErrorCode };
