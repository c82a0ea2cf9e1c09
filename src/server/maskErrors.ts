/**
 * The error masking of the streaming transports (SSE and WebSocket): what
 * Apollo's formatError applies to HTTP responses. Its own module because
 * both transports call it and neither owns it.
 */
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { ErrorCode, maskError } from '../graphql/errors.js';
import type { Logger } from '../observability/logger.js';

/**
 * The errors of a result as a client may see them (Apollo's formatError for
 * HTTP does the same): gateway and request errors kept, the rest masked as
 * INTERNAL_SERVER_ERROR and logged. Errors graphql-js raises about the request
 * itself (outside any field: variable coercion, unknown operation) carry no
 * code of their own and get BAD_USER_INPUT, as Apollo gives them.
 */
export function maskErrors(errors: readonly GraphQLError[], logger: Logger): GraphQLFormattedError[] {
  return errors.map((err) => {
    let formatted = err.toJSON();
    const original = err.originalError as (Error & { name?: string }) | undefined;
    const aboutRequest = !err.path && (!original || original.name === 'GraphQLError');
    if (aboutRequest && formatted.extensions?.code === undefined) {
      formatted = { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_USER_INPUT } };
    }
    return maskError(formatted, err, (detail) => logger.error({ err: detail }, 'masked resolver error'));
  });
}
