/**
 * The operation guard for the streaming transports (SSE at /graphql/stream,
 * graphql-ws on /graphql): the same safelist, token, depth, alias, directive,
 * introspection, cost and budget checks as GraphQL over HTTP
 * (src/graphql/limits/limitsPlugin.ts), applied in their onSubscribe. A
 * subscription is charged its cost once, when it is subscribed.
 *
 * Also the stream slots both transports share: a budget charges a stream
 * once, but holding it open costs a socket, a context and an event listener
 * for as long as the client likes, so each client may hold at most
 * MAX_STREAMS_PER_CLIENT at once (per instance: streams are this process's
 * sockets). One more is refused with RATE_LIMITED, `limit: "streams"`.
 */
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Client } from '../graphql/context.js';
import { ErrorCode, gatewayError } from '../graphql/errors.js';
import { refusalBody, type LimitRefusal, type OperationGuard } from '../graphql/limits/operationGuard.js';
import { prepareDocument } from './prepareDocument.js';

/** A document ready to run, or the errors to answer with (`refusal`: the limit that refused it). */
export type PreparedOperation = { document: DocumentNode } | { errors: GraphQLError[]; refusal?: LimitRefusal };

export interface StreamGuard {
  /**
   * Parses, checks and validates an operation, then admits it (charging the
   * client's budget). `refusal` is set when the answer should be a refusal
   * with its own HTTP status (over budget: 429).
   */
  prepare(client: Client, params: { query?: unknown; operationName?: unknown; variables?: unknown; extensions?: unknown }): Promise<PreparedOperation>;
}

export interface StreamGuardOptions {
  schema: GraphQLSchema;
  guard: OperationGuard;
  /** graphql's parse limit (MAX_TOKENS), a backstop behind the guard's own count. @default none */
  maxTokens?: number;
  /** Most validation errors answered, then one "too many" (MAX_VALIDATION_ERRORS). @default graphql's 100 */
  maxValidationErrors?: number;
  /** Keep "Did you mean …?" in validation errors. @default false */
  fieldSuggestions?: boolean;
}

/** A refusal as an error the streaming transports send (kept by their error masking: it is the gateway's own). */
export function refusalAsError(refusal: LimitRefusal): GraphQLError {
  return new GraphQLError(refusal.message, {
    originalError: gatewayError(refusal.code as ErrorCode, refusal.message, refusal.details),
    extensions: { ...refusal.details, code: refusal.code },
  });
}

/** A refusal as graphql-sse's Response tuple (status, headers, a GraphQL error body). */
export function refusalResponse(refusal: LimitRefusal): readonly [string, { status: number; statusText: string; headers: Record<string, string> }] {
  const statusText = refusal.status === 429 ? 'Too Many Requests' : refusal.status === 403 ? 'Forbidden' : 'Bad Request';
  return [refusalBody(refusal), { status: refusal.status, statusText, headers: { 'content-type': 'application/json; charset=utf-8', ...refusal.headers } }];
}

/** Concurrent streams per client, shared by the SSE and WebSocket transports. */
export interface StreamSlots {
  /** Most streams one client may hold. */
  readonly max: number;
  /** Takes one of the client's slots; undefined when it holds `max`. The returned release is idempotent. */
  acquire(clientName: string): (() => void) | undefined;
  /** Streams the client holds now. */
  held(clientName: string): number;
}

export function createStreamSlots(max: number): StreamSlots {
  const held = new Map<string, number>();
  return {
    max,
    acquire(clientName) {
      const n = held.get(clientName) ?? 0;
      if (n >= max) return undefined;
      held.set(clientName, n + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (held.get(clientName) ?? 1) - 1;
        if (left <= 0) held.delete(clientName);
        else held.set(clientName, left);
      };
    },
    held: (clientName) => held.get(clientName) ?? 0,
  };
}

/** The refusal for a stream past the client's MAX_STREAMS_PER_CLIENT. */
export function streamsRefusal(max: number): LimitRefusal {
  return {
    code: ErrorCode.RATE_LIMITED,
    message: `this client already holds ${max} streams, the most MAX_STREAMS_PER_CLIENT allows; close one before opening another`,
    status: 429,
    details: { limit: 'streams', max },
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function createStreamGuard(options: StreamGuardOptions): StreamGuard {
  const { schema, guard } = options;
  return {
    async prepare(client, params) {
      const persisted = isRecord(params.extensions) && isRecord(params.extensions.persistedQuery) ? params.extensions.persistedQuery.sha256Hash : undefined;
      const source = guard.checkSource(params.query, typeof persisted === 'string' ? persisted : undefined);
      if ('refusal' in source) return { errors: [refusalAsError(source.refusal)], refusal: source.refusal };
      const prepared = prepareDocument(schema, 'query' in source ? source.query : undefined, {
        maxTokens: options.maxTokens,
        beforeValidation: (document) => {
          const refusal = guard.checkShape(document);
          return refusal ? refusalAsError(refusal) : undefined;
        },
        hideSuggestions: !options.fieldSuggestions,
        maxErrors: options.maxValidationErrors,
      });
      if ('errors' in prepared) return prepared;
      const operationName = typeof params.operationName === 'string' ? params.operationName : undefined;
      const variables = isRecord(params.variables) ? params.variables : undefined;
      const admission = await guard.admit(client, prepared.document, operationName, variables);
      if (!admission.ok) return { errors: [refusalAsError(admission.refusal)], refusal: admission.refusal };
      return prepared;
    },
  };
}

/** The code an error answer of the SSE transport gets when graphql-sse gave it none, by HTTP status. */
function codeForStatus(status: number): string {
  switch (status) {
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 405:
      return 'METHOD_NOT_ALLOWED';
    case 409:
      return 'CONFLICT';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'RATE_LIMITED';
    default:
      return status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
  }
}

/**
 * graphql-sse answers some bad requests with an empty body, plain text, or
 * errors without a code. Every error answer of the gateway is a GraphQL error
 * body whose errors carry `extensions.code`: this makes one of those.
 */
export function codedErrorBody(body: string | null | undefined, status: number, statusText: string): string {
  const code = codeForStatus(status);
  if (body) {
    try {
      const parsed = JSON.parse(body) as { errors?: Array<{ message?: unknown; extensions?: Record<string, unknown> }> };
      if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
        const errors = parsed.errors.map((e) => ({ ...e, extensions: { ...e.extensions, code: typeof e.extensions?.code === 'string' ? e.extensions.code : code } }));
        return JSON.stringify({ ...parsed, errors });
      }
    } catch {
      // Plain text: it becomes the message.
    }
  }
  const message = body && body.length <= 300 ? body : statusText || 'request refused';
  return JSON.stringify({ errors: [{ message, extensions: { code } }] });
}
