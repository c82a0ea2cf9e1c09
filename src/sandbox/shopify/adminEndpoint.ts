/**
 * One Admin API request (upstreams.md: `POST …/admin/api/{YYYY-MM}/graphql.json`,
 * the answer `{data, errors?, extensions:{cost}}`): parse, validate, price
 * the document, refuse it above the single-query cap (MAX_COST_EXCEEDED) or
 * when the bucket cannot afford it (THROTTLED, no `data`, HTTP 200 — the
 * vendor documents no status, so a client must key on the code), run it,
 * and report `extensions.cost {requestedQueryCost, actualQueryCost,
 * throttleStatus}` on every answer. Search warnings go in
 * `extensions.search`.
 *
 * Framework-free: the origin's route hands it the parsed body and the
 * version from the path.
 */
import {
  executeSync,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import type { AdminContext } from './adminResolvers.js';
import type { CostBucket } from './costBucket.js';
import { createActualCost, requestedCost, type ActualCost } from './queryCost.js';

export interface AdminAnswer {
  status: number;
  body: unknown;
}

export interface AdminCounters {
  queries: number;
  mutations: number;
  /** Answers refused because the bucket could not afford them. */
  throttled: number;
  /** Answers refused above the single-query cap. */
  maxCostExceeded: number;
  requestedPoints: number;
  actualPoints: number;
  /** Root fields asked for, by name (`orders`, `bulkOperationRunQuery`, …). */
  rootFields: Record<string, number>;
}

export interface AdminEndpoint {
  handle(body: unknown, version: string): AdminAnswer;
  /** Runs a validated query over these orders in bulk mode: connections return every node, nothing is priced. */
  runBulk(document: DocumentNode, indices: readonly number[], version: string): ExecutionResult;
  counters(): AdminCounters;
  resetCounters(): void;
}

export interface AdminEndpointOptions {
  schema: GraphQLSchema;
  root: Record<string, unknown>;
  bucket: CostBucket;
  maxQueryCost(): number;
  /** Called for each THROTTLED answer (the origin's shared `throttled` stat). */
  onThrottled(): void;
}

interface RequestContext extends AdminContext {
  cost?: ActualCost;
}

const THROTTLED_DOCS = 'https://shopify.dev/api/usage/rate-limits';

/** graphql-js's default resolver, counting what each field returned. */
const fieldResolver: GraphQLFieldResolver<unknown, RequestContext> = (source, args, ctx, info) => {
  const property = source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[info.fieldName] : undefined;
  const value = typeof property === 'function' ? (property as (a: unknown, c: unknown, i: unknown) => unknown).call(source, args, ctx, info) : property;
  ctx.cost?.count(value, info);
  return value;
};

function emptyCounters(): AdminCounters {
  return { queries: 0, mutations: 0, throttled: 0, maxCostExceeded: 0, requestedPoints: 0, actualPoints: 0, rootFields: {} };
}

export function createAdminEndpoint(options: AdminEndpointOptions): AdminEndpoint {
  const { schema, root, bucket } = options;
  let counters = emptyCounters();

  const cost = (requested: number, actual: number | null) => ({ requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() });
  const failed = (errors: readonly GraphQLError[] | GraphQLError[]): AdminAnswer => ({ status: 200, body: { errors: errors.map((e) => e.toJSON()), extensions: { cost: cost(0, 0) } } });

  function readBody(body: unknown): { query?: string; variables?: Record<string, unknown>; operationName?: string } | undefined {
    if (typeof body === 'string') return { query: body };
    if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
    const b = body as Record<string, unknown>;
    if (typeof b.query !== 'string' || !b.query.trim()) return undefined;
    if (b.variables !== undefined && b.variables !== null && (typeof b.variables !== 'object' || Array.isArray(b.variables))) return undefined;
    if (b.operationName !== undefined && b.operationName !== null && typeof b.operationName !== 'string') return undefined;
    return { query: b.query, variables: (b.variables ?? undefined) as Record<string, unknown> | undefined, operationName: (b.operationName ?? undefined) as string | undefined };
  }

  function handle(body: unknown, version: string): AdminAnswer {
    const request = readBody(body);
    if (!request?.query) return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
    let document: DocumentNode;
    try {
      document = parse(request.query, { maxTokens: 20_000 });
    } catch (err) {
      return failed([err instanceof GraphQLError ? err : new GraphQLError(String(err))]);
    }
    const invalid = validate(schema, document);
    if (invalid.length > 0) return failed(invalid);
    const operation = getOperationAST(document, request.operationName);
    if (!operation) return failed([new GraphQLError(request.operationName ? `No operation named "${request.operationName}"` : 'An operation name is required when the document has several operations')]);
    if (operation.operation === 'subscription') return failed([new GraphQLError('Subscriptions are not served by the Admin API')]);
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
    if (coerced.errors) return failed(coerced.errors);

    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    for (const s of operation.selectionSet.selections) {
      if (s.kind === Kind.FIELD && !s.name.value.startsWith('__')) counters.rootFields[s.name.value] = (counters.rootFields[s.name.value] ?? 0) + 1;
    }
    if (operation.operation === 'mutation') counters.mutations++;
    else counters.queries++;

    const requested = requestedCost(schema, operation, fragments, coerced.coerced);
    const max = options.maxQueryCost();
    if (requested > max) {
      counters.maxCostExceeded++;
      const message =
        `Query cost is ${requested}, which exceeds the single query max cost limit (${max}).\n\n` +
        'See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the cost of a query is calculated.\n\n' +
        'To query larger amounts of data with fewer limits, bulk operations should be used instead.';
      return { status: 200, body: { errors: [{ message, extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: max } }], extensions: { cost: cost(requested, null) } } };
    }
    if (!bucket.take(requested)) {
      counters.throttled++;
      options.onThrottled();
      return { status: 200, body: { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: THROTTLED_DOCS } }], extensions: { cost: cost(requested, null) } } };
    }

    const actual = createActualCost();
    const ctx: RequestContext = { version, search: [], cost: actual };
    const result = executeSync({ schema, document, rootValue: root, contextValue: ctx, variableValues: request.variables ?? {}, operationName: request.operationName, fieldResolver });
    const spent = actual.total();
    if (spent < requested) bucket.refund(requested - spent);
    counters.requestedPoints += requested;
    counters.actualPoints += spent;
    const extensions: Record<string, unknown> = { cost: cost(requested, spent) };
    if (ctx.search.length > 0) extensions.search = ctx.search;
    return { status: 200, body: { ...(result.errors ? { errors: result.errors.map((e) => e.toJSON()) } : {}), data: result.data ?? null, extensions } };
  }

  function runBulk(document: DocumentNode, indices: readonly number[], version: string): ExecutionResult {
    const ctx: RequestContext = { version, search: [], bulk: { indices } };
    return executeSync({ schema, document, rootValue: root, contextValue: ctx, fieldResolver });
  }

  return {
    handle,
    runBulk,
    counters: () => structuredClone(counters),
    resetCounters() {
      counters = emptyCounters();
    },
  };
}
