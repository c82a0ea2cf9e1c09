/**
 * Masking at the graph's edge. The stable codes live in src/errors/ (jobs,
 * orders and auth raise them without knowing GraphQL); here only errors the
 * gateway created reach a client, anything else is masked as
 * INTERNAL_SERVER_ERROR with the detail logged, never sent (envelop's
 * useMaskedErrors).
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../errors/errorCode.js';
import { isClientFacing, markClientFacing } from '../errors/crossdockError.js';
import { isStoreUnavailable } from '../storage/storeUnavailable.js';

export { ErrorCode, HTTP_STATUS } from '../errors/errorCode.js';

/** An error the gateway means a client to see, raised by the graph layer itself. */
export function gatewayError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return markClientFacing(new GraphQLError(message, { extensions: { ...extensions, code } }));
}

/** A GraphQLError from gatewayError, or a CrossdockError from the layers below (by mark: see crossdockError.ts). */
export function isGatewayError(err: unknown): err is { message: string; extensions?: Record<string, unknown> } {
  return isClientFacing(err);
}

/** Codes graphql-js and Apollo Server attach to request errors, which are safe to show. */
const SAFE_FRAMEWORK_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * Apollo's formatError hook: keeps gateway and request errors, masks the rest.
 * Never throws. `original` is the error as thrown (unwrapped by Apollo).
 */
export function maskError(
  formatted: GraphQLFormattedError,
  original: unknown,
  log: (detail: unknown) => void,
): GraphQLFormattedError {
  try {
    const code = formatted.extensions?.code;
    const unwrapped = (original as { originalError?: unknown } | null)?.originalError ?? original;
    if (isGatewayError(unwrapped) || isGatewayError(original)) return stripStack(formatted);
    if (typeof code === 'string' && SAFE_FRAMEWORK_CODES.has(code)) return stripStack(formatted);
    if (isStoreUnavailable(unwrapped)) {
      // A record could not be written or read: say so (503), never pretend it was kept.
      return {
        message: 'the durable store is unreachable; nothing was recorded, retry shortly',
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: ErrorCode.STORE_UNAVAILABLE, retryable: true },
      };
    }
    log(unwrapped);
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  } catch {
    return { message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  }
}

function stripStack(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !('stacktrace' in formatted.extensions)) return formatted;
  const { stacktrace: _dropped, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}
