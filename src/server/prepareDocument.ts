/**
 * Parsing and validation of a streamed operation (SSE and WebSocket), as
 * Apollo does them for HTTP. Its own module because both transports and the
 * stream guard (streamLimits.ts) call it; in sseTransport.ts it made
 * streamLimits.ts and sseTransport.ts import each other.
 */
import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';

/**
 * Parses and validates an operation the way Apollo does for HTTP, with the
 * codes Apollo gives such errors (GRAPHQL_PARSE_FAILED,
 * GRAPHQL_VALIDATION_FAILED), so that a bad document is an answer to the
 * client and never a transport failure.
 */
export function prepareDocument(schema: GraphQLSchema, query: unknown, checks: DocumentChecks = {}): { document: DocumentNode } | { errors: GraphQLError[] } {
  if (typeof query !== 'string' || query.trim() === '') {
    return { errors: [new GraphQLError('GraphQL operations must contain a non-empty `query`.', { extensions: { code: 'BAD_REQUEST' } })] };
  }
  let document: DocumentNode;
  try {
    document = parse(query, checks.maxTokens === undefined ? undefined : { maxTokens: checks.maxTokens });
  } catch (err) {
    if (!(err instanceof GraphQLError)) throw err;
    return { errors: [withCode(err, 'GRAPHQL_PARSE_FAILED')] };
  }
  const refused = checks.beforeValidation?.(document);
  if (refused) return { errors: [refused] };
  let invalid: readonly GraphQLError[];
  try {
    invalid = validate(schema, document, undefined, checks.maxErrors === undefined ? undefined : { maxErrors: checks.maxErrors });
  } catch (err) {
    // graphql-js's SingleFieldSubscriptionsRule evaluates @include/@skip and throws on a bad value.
    if (!(err instanceof GraphQLError)) throw err;
    invalid = [err];
  }
  if (checks.hideSuggestions) for (const err of invalid) err.message = err.message.replace(/ ?Did you mean(.+?)\?$/, '');
  if (invalid.length) return { errors: invalid.map((err) => withCode(err, 'GRAPHQL_VALIDATION_FAILED')) };
  return { document };
}

/** Limits prepareDocument applies (streamLimits.ts sets them from the configuration). */
export interface DocumentChecks {
  /** graphql's parse limit. @default none */
  maxTokens?: number;
  /** Runs on the parsed document before validation; an error refuses it. */
  beforeValidation?: (document: DocumentNode) => GraphQLError | undefined;
  /** Drop "Did you mean …?" from validation errors (Apollo's hideSchemaDetailsFromClientErrors). */
  hideSuggestions?: boolean;
  /** graphql's validate stops past this many errors and adds one "too many" error. @default 100 */
  maxErrors?: number;
}

function withCode(err: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(err.message, {
    nodes: err.nodes,
    source: err.source,
    positions: err.positions,
    path: err.path,
    originalError: err.originalError,
    extensions: { ...err.extensions, code },
  });
}
