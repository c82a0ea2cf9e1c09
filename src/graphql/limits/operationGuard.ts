/**
 * The checks every operation passes before anything runs, whatever the
 * transport (GraphQL over HTTP through limitsPlugin.ts; SSE and WebSocket
 * through prepareDocument and their onSubscribe):
 *
 * 1. source — safelist (TRUSTED_DOCUMENTS=safelist) and tokens (MAX_TOKENS);
 * 2. shape, after parsing and before validation — depth, aliases, directives;
 * 3. admission, after validation — introspection for the client's role, the
 *    estimated cost against MAX_QUERY_COST and the client's whole budget,
 *    then the charge against the client's budget (429 when it is spent).
 *
 * A refusal is a `LimitRefusal` (a stable code, a message, an HTTP status and
 * headers); each transport turns it into its own kind of error. Nothing here
 * knows the HTTP framework.
 */
import { parse, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Role } from '../../config.js';
import type { BudgetDecision, ClientBudgets } from '../../limits/clientBudgets.js';
import type { Client } from '../context.js';
import { ErrorCode } from '../errors.js';
import { memoizedCost } from './costMemo.js';
import { selectOperation, type CostModel } from './queryCost.js';
import { checkShape, checkTokens, describeViolation, usesIntrospection, type ShapeViolation } from './queryLimits.js';
import { sha256Hex, type TrustedDocuments } from './trustedDocuments.js';

export interface OperationGuardOptions {
  schema: GraphQLSchema;
  budgets: ClientBudgets;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  /** Largest estimated cost of one operation. */
  maxCost: number;
  /** Introspection for everyone, or only for `roles`. */
  introspection: { enabled: boolean; roles: readonly Role[] };
  /** The safelist, in safelist mode; undefined runs any document. */
  safelist?: TrustedDocuments;
  /** Overrides of the cost model. @default DEFAULT_COST_MODEL */
  costModel?: Partial<CostModel>;
}

/** Why an operation was refused, transport-neutral. */
export interface LimitRefusal {
  code: ErrorCode | 'PERSISTED_QUERY_NOT_FOUND';
  message: string;
  status: number;
  /** Extra `extensions` for the client (limit, cost, …). */
  details?: Record<string, unknown>;
  /** Response headers (RateLimit fields, Retry-After). */
  headers?: Record<string, string>;
}

/** What one request was charged; the response cache stores `cost` with a cached answer. */
export interface RequestCharge {
  cost?: number;
  decision?: BudgetDecision;
  /** The admission decided before Apollo's pipeline ran (the direct path's); the limits plugin uses it rather than admitting again. */
  admission?: Admission;
}

export type Admission = { ok: true; cost: number; decision: BudgetDecision } | { ok: false; refusal: LimitRefusal };

export interface OperationGuard {
  /**
   * Before parsing. `query` as sent (may be absent when only a hash is);
   * returns the document text to run, or a refusal.
   */
  checkSource(query: unknown, persistedHash?: string): { query: string } | { refusal: LimitRefusal } | { absent: true };
  /** After parsing, before validation. */
  checkShape(document: DocumentNode): LimitRefusal | undefined;
  /**
   * Before a GraphQL engine sees a request: checkSource, then checkShape and
   * the introspection policy on a parse of the document (so a role that may
   * not introspect is told so, not what validation thinks of its query). A
   * document that does not parse is left to the engine, which reports the
   * syntax error. Documents that passed are remembered (by text, with whether
   * they introspect), so a repeated one is not parsed twice.
   */
  screen(client: Client, query: unknown, persistedHash?: string): LimitRefusal | undefined;
  /** screen() for a GraphQL-over-HTTP request: `query` and `extensions` from a JSON body or the query string. */
  screenHttp(client: Client, request: { method: string; body: unknown; search: string }): LimitRefusal | undefined;
  /** After validation: introspection, cost, then the client's budget (spends it when admitted). */
  admit(client: Client, document: DocumentNode, operationName: string | null | undefined, variables: Readonly<Record<string, unknown>> | null | undefined): Promise<Admission>;
  /** Charges a cached answer's stored cost (no document to look at). */
  chargeCached(client: Client, cost: number): Promise<Admission>;
  /** RateLimit headers for an answer: from this request's charge, or the client's current budget. */
  budgetHeaders(client: Client, charge?: RequestCharge): Promise<Record<string, string>>;
  /** Estimated cost of a validated operation (no checks, no charge). */
  cost(document: DocumentNode, operationName?: string | null, variables?: Readonly<Record<string, unknown>> | null): number;
}

const shapeRefusal = (v: ShapeViolation): LimitRefusal => ({
  code: ErrorCode.QUERY_TOO_COMPLEX,
  message: describeViolation(v),
  status: 400,
  details: { limit: v.limit, max: v.max, ...(v.limit === 'tokens' ? {} : { actual: v.actual }) },
});

export function createOperationGuard(options: OperationGuardOptions): OperationGuard {
  const { schema, budgets, safelist } = options;
  const screened = new LRUCache<string, { introspects: boolean }>({ max: 2_000, maxSize: 16 * 1024 * 1024, sizeCalculation: (_v, key) => Math.max(1, key.length) });
  // Per parsed document (Apollo's document store hands back the same one for every request of a query text):
  // the shape check and whether an operation introspects depend on nothing else. Weak, so they go with the document.
  const shapes = new WeakMap<DocumentNode, LimitRefusal | null>();
  const introspecting = new WeakMap<OperationDefinitionNode, boolean>();
  // The cost too, under what of the variables it can depend on (costMemo.ts, costVariablesKey).
  const estimate = memoizedCost(schema, options.costModel);

  function rateLimited(decision: BudgetDecision, cost: number): LimitRefusal {
    return {
      code: ErrorCode.RATE_LIMITED,
      message: `this client's budget of ${decision.limit} points per ${decision.windowSeconds} s is spent (${decision.remaining} left, this operation costs ${cost}); retry in ${decision.resetSeconds} s`,
      status: 429,
      details: { cost, remaining: decision.remaining, retryAfterSeconds: decision.resetSeconds },
      headers: budgets.headers(decision),
    };
  }

  /** Introspection is for everyone (INTROSPECTION), or for the roles in INTROSPECTION_ROLES. */
  function introspectionRefusal(client: Client): LimitRefusal | undefined {
    if (options.introspection.enabled || options.introspection.roles.includes(client.role)) return undefined;
    return { code: ErrorCode.FORBIDDEN, message: `introspection is disabled for role ${client.role}`, status: 403, details: { reason: 'INTROSPECTION_DISABLED' } };
  }

  async function charge(client: Client, cost: number): Promise<Admission> {
    const decision = await budgets.charge(client.name, cost);
    if (!decision.allowed) return { ok: false, refusal: rateLimited(decision, cost) };
    return { ok: true, cost, decision };
  }

  const guard: OperationGuard = {
    checkSource(query, persistedHash) {
      const text = typeof query === 'string' && query !== '' ? query : undefined;
      if (safelist) {
        if (text === undefined) {
          if (persistedHash && safelist.has(persistedHash)) return { query: safelist.get(persistedHash)! };
          if (persistedHash) return { refusal: { code: 'PERSISTED_QUERY_NOT_FOUND', message: 'PersistedQueryNotFound: this hash is not in the safelist', status: 404 } };
          return { absent: true };
        }
        // Hashing is linear and bounded by the body limit; the hash decides, never a parse.
        if (!safelist.has(sha256Hex(text))) {
          return {
            refusal: {
              code: ErrorCode.QUERY_NOT_IN_SAFELIST,
              message: 'this gateway runs registered operations only (TRUSTED_DOCUMENTS=safelist), and this document is not one of them',
              status: 403,
            },
          };
        }
        return { query: text };
      }
      if (text === undefined) return { absent: true };
      const tokens = checkTokens(text, options.maxTokens);
      if (tokens) return { refusal: shapeRefusal(tokens) };
      return { query: text };
    },

    screen(client, query, persistedHash) {
      // Hash-only (APQ): Apollo resolves it from its cache, which in safelist mode is the safelist.
      if (typeof query !== 'string' || query === '') return undefined;
      let known = screened.get(query);
      if (!known) {
        const source = guard.checkSource(query, persistedHash);
        if ('refusal' in source) return source.refusal;
        if (!('query' in source)) return undefined;
        let document: DocumentNode;
        try {
          document = parse(source.query, safelist ? undefined : { maxTokens: options.maxTokens });
        } catch {
          return undefined;
        }
        const refusal = guard.checkShape(document);
        if (refusal) return refusal;
        known = { introspects: document.definitions.some((d) => d.kind === 'OperationDefinition' && usesIntrospection(document, d)) };
        screened.set(query, known);
      }
      return known.introspects ? introspectionRefusal(client) : undefined;
    },

    screenHttp(client, request) {
      let query: unknown;
      let extensions: unknown;
      if (request.method.toUpperCase() === 'GET') {
        const params = new URLSearchParams(request.search);
        query = params.get('query') ?? undefined;
        const raw = params.get('extensions');
        if (raw) {
          try {
            extensions = JSON.parse(raw);
          } catch {
            // The engine reports a malformed `extensions`.
          }
        }
      } else if (request.body && typeof request.body === 'object' && !Array.isArray(request.body)) {
        ({ query, extensions } = request.body as { query?: unknown; extensions?: unknown });
      }
      const persisted = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
      // Only a string is a document; anything else is the engine's to refuse.
      if (typeof query !== 'string' && query !== undefined) return undefined;
      return guard.screen(client, query, typeof persisted === 'string' ? persisted : undefined);
    },

    checkShape(document) {
      let refusal = shapes.get(document);
      if (refusal === undefined) {
        const v = checkShape(document, { maxDepth: options.maxDepth, maxAliases: options.maxAliases, maxDirectives: options.maxDirectives });
        refusal = v ? shapeRefusal(v) : null;
        shapes.set(document, refusal);
      }
      return refusal ?? undefined;
    },

    cost(document, operationName, variables) {
      return estimate(document, operationName, variables);
    },

    async admit(client, document, operationName, variables) {
      const operation = selectOperation(document, operationName);
      if (!operation) return { ok: true, cost: 0, decision: { allowed: true, cost: 0, ...(await budgets.peek(client.name)) } };
      let introspects = introspecting.get(operation);
      if (introspects === undefined) {
        introspects = usesIntrospection(document, operation);
        introspecting.set(operation, introspects);
      }
      const refused = introspects ? introspectionRefusal(client) : undefined;
      if (refused) return { ok: false, refusal: refused };
      const cost = guard.cost(document, operationName, variables);
      if (cost > options.maxCost) {
        return {
          ok: false,
          refusal: {
            code: ErrorCode.QUERY_TOO_COMPLEX,
            message: `the operation's estimated cost is ${cost}; at most ${options.maxCost} is allowed per request`,
            status: 400,
            details: { limit: 'cost', cost, max: options.maxCost },
          },
        };
      }
      const limit = budgets.limitFor(client.name);
      if (cost > limit) {
        // 429 would promise that waiting helps; it never will.
        return {
          ok: false,
          refusal: {
            code: ErrorCode.QUERY_TOO_COMPLEX,
            message: `the operation's estimated cost is ${cost}, more than this client's whole budget of ${limit} points per window`,
            status: 400,
            details: { limit: 'budget', cost, max: limit },
          },
        };
      }
      return charge(client, cost);
    },

    chargeCached: (client, cost) => charge(client, cost),

    async budgetHeaders(client, requestCharge) {
      if (requestCharge?.decision) return budgets.headers(requestCharge.decision);
      return budgets.headers(await budgets.peek(client.name));
    },
  };
  return guard;
}

/** A refusal as a GraphQL response body, for answers made outside a GraphQL engine (a cached answer, an SSE request). */
export function refusalBody(refusal: LimitRefusal): string {
  return JSON.stringify({ errors: [{ message: refusal.message, extensions: { ...refusal.details, code: refusal.code } }] });
}
