/**
 * Stable error codes, the one enum clients may switch on (Apollo Server's
 * ApolloServerErrorCode pattern). Each carries its HTTP intent. Only errors
 * the gateway created reach a client; anything else is masked as
 * INTERNAL_SERVER_ERROR with the detail logged, never sent (envelop's
 * useMaskedErrors).
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isStoreUnavailable } from '../storage/storeUnavailable.js';

export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  RATE_LIMITED = 'RATE_LIMITED',
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  /** Safelist mode (TRUSTED_DOCUMENTS=safelist): the document is not registered. */
  QUERY_NOT_IN_SAFELIST = 'QUERY_NOT_IN_SAFELIST',
  UPSTREAM_UNAVAILABLE = 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_RATE_LIMITED = 'UPSTREAM_RATE_LIMITED',
  UPSTREAM_ERROR = 'UPSTREAM_ERROR',
  IDEMPOTENCY_CONFLICT = 'IDEMPOTENCY_CONFLICT',
  /** The durable store (the record database, or Redis for orders) is unreachable: nothing was recorded; retry later. */
  STORE_UNAVAILABLE = 'STORE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/** HTTP status each code intends when it is the only error of a response. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.QUERY_TOO_COMPLEX]: 400,
  [ErrorCode.QUERY_NOT_IN_SAFELIST]: 403,
  [ErrorCode.UPSTREAM_UNAVAILABLE]: 503,
  [ErrorCode.UPSTREAM_RATE_LIMITED]: 503,
  [ErrorCode.UPSTREAM_ERROR]: 502,
  [ErrorCode.IDEMPOTENCY_CONFLICT]: 409,
  [ErrorCode.STORE_UNAVAILABLE]: 503,
  [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
};

const GATEWAY_ERROR = Symbol.for('crossdock.gatewayError');

/** An error the gateway means a client to see. */
export function gatewayError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  const err = new GraphQLError(message, { extensions: { ...extensions, code } });
  Object.defineProperty(err, GATEWAY_ERROR, { value: true });
  return err;
}

/**
 * By mark, not `instanceof`: graphql may be loaded twice (its ESM and CJS
 * builds, by different dependants), and the classes then differ.
 */
export function isGatewayError(err: unknown): err is GraphQLError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[GATEWAY_ERROR] === true;
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
