/**
 * Stable error codes, the one enum clients may switch on (Apollo Server's
 * ApolloServerErrorCode pattern), each with its HTTP intent. Transport-neutral:
 * jobs, orders and auth raise them without knowing the graph; graphql/errors.ts
 * masks everything else at the edge.
 */
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
  /** The durable store (Redis with REDIS_URL) is unreachable: nothing was recorded; retry later. */
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
