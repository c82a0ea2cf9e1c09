/**
 * Query execution behind Apollo Server's executor hook (its `gateway`
 * option: Apollo still parses, validates, runs every plugin, formats and
 * masks errors, and answers; only the execution step is this), with
 * graphql-jit for the documents that are executed again and again.
 *
 * graphql-js interprets a document on every execution (collects fields,
 * coerces arguments, builds resolve info, walks the result); graphql-jit
 * compiles a validated document once into a function that does the same for
 * that document. Compiling costs more than one interpretation, so a
 * document is compiled on its second execution (a client's operations repeat;
 * a one-off or hostile document never pays for it), and compiled functions
 * are kept per parsed document (Apollo's document store hands back the same
 * DocumentNode for every request of a query text), in a WeakMap, so they go
 * with it.
 *
 * How it stays what graphql-js answers (the spec's Execute Request, §6):
 * - Only queries are compiled. Mutations (audited, serial), a request
 *   naming no operation of the document, and anything else run in graphql-js
 *   exactly as before.
 * - Variables: the compiled function is given the request's variables as
 *   sent and coerces them itself; an input it refuses is run by graphql-js,
 *   whose refusal (its errors, word for word, and no data: what `execute`
 *   answers, and what Apollo turns into HTTP 400) is the answer. Where
 *   graphql-jit's coercion could accept what graphql-js refuses — a variable
 *   of a custom scalar or an input object — graphql-js coerces them first, as
 *   before. Built-in scalars and enums, in lists and non-nulls, are coerced
 *   alike by both (the same parseValue of the same type; the list and null
 *   rules checked side by side, test/unit/jitVariableCoercion.test.ts), so
 *   they are coerced once, by graphql-jit: graphql-js's pass was some 7 % of
 *   an executed 20-part query's CPU (539 against 499 µs, side by side).
 * - A document graphql-jit will not compile, or a compiled run that answers
 *   without any data (it refused before executing: nothing was resolved),
 *   is run by graphql-js instead.
 * - The same resolvers run either way: the schema's, with the access policy
 *   and audit wrappers (guardSchema.ts), the same context and loaders.
 * - graphql-jit's errors are rebuilt as graphql-js GraphQLErrors with the
 *   same message, locations, path, extensions and original error, so
 *   Apollo's formatting and Crossdock's masking (errors.ts) see what they
 *   always saw.
 *
 * A compiled query is also kept by its text and operation name (`prepared`):
 * the direct path (src/server/directExecution.ts) runs a query Apollo has
 * already parsed, validated and resolved once without Apollo's pipeline, by
 * `runPrepared`, which is this executor's own compiled run.
 */
import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import {
  execute,
  getNamedType,
  getVariableValues,
  GraphQLError,
  isEnumType,
  isSpecifiedScalarType,
  typeFromAST,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type VariableDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';

type Gateway = NonNullable<ApolloServerOptionsWithGateway<Record<string, unknown>>['gateway']>;
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

type GatewayOperation = Parameters<Executor>[0]['operation'];

/**
 * What a document is, per operation name, to the executor. `coercedAlike`:
 * graphql-jit's coercion of its variables refuses whatever graphql-js's
 * refuses (variablesCoercedAlike), so graphql-js need not coerce them first.
 */
type Plan = { runs: number; compiled?: CompiledQuery; coercedAlike?: boolean } | { interpreted: true };

/**
 * A query Apollo Server has parsed, validated and resolved to an operation,
 * compiled here: what the direct path needs to admit and run it again.
 */
export interface PreparedQuery {
  document: DocumentNode;
  operation: GatewayOperation;
  /** The resolved operation's name (null: anonymous). */
  operationName: string | null;
  /** @internal the executor's compiled plan. */
  readonly plan: { compiled: CompiledQuery; coercedAlike: boolean };
}

/** Texts whose prepared queries are kept (the least recently used go first), and their total length. */
const MAX_PREPARED_TEXTS = 2_000;
const MAX_PREPARED_BYTES = 16 * 1024 * 1024;

/**
 * Whether every variable's type is built only of built-in scalars and enums
 * (in lists and non-nulls): types graphql-jit coerces with the same
 * parseValue as graphql-js, by the same list and null rules.
 */
export function variablesCoercedAlike(schema: GraphQLSchema, definitions: readonly VariableDefinitionNode[]): boolean {
  return definitions.every((d) => {
    const named = getNamedType(typeFromAST(schema, d.type));
    return named !== undefined && (isEnumType(named) || isSpecifiedScalarType(named));
  });
}

export interface CompiledExecutionStats {
  /** Executions by the compiled function. */
  compiled: number;
  /** Executions by graphql-js (first runs, mutations, fallbacks). */
  interpreted: number;
  /** Documents compiled. */
  compilations: number;
}

export interface CompiledExecution {
  /** For `new ApolloServer({ gateway })`: serves `schema`, executes as above. */
  gateway: Gateway;
  stats: CompiledExecutionStats;
  /**
   * The compiled query for this text and requested operation name, once Apollo has run it here and it was
   * compiled (its second execution); undefined before, and for anything not compiled (mutations, say).
   */
  prepared(query: string, operationName: string | undefined): PreparedQuery | undefined;
  /** Runs a prepared query exactly as the executor runs its compiled plan (fallbacks to graphql-js included). */
  runPrepared(prepared: PreparedQuery, variables: Record<string, unknown> | undefined, context: unknown): Promise<ExecutionResult>;
}

/** The context's result computed before Apollo's pipeline ran (directExecution.ts), returned rather than executed again. */
function executedBefore(context: unknown): ExecutionResult | undefined {
  return (context as { executed?: ExecutionResult } | null)?.executed;
}

/** Executions of a document before it is compiled (the first runs in graphql-js). */
const COMPILE_ON_RUN = 2;

export function createCompiledExecution(schema: GraphQLSchema): CompiledExecution {
  const plans = new WeakMap<DocumentNode, Map<string, Plan>>();
  const stats: CompiledExecutionStats = { compiled: 0, interpreted: 0, compilations: 0 };
  // By the text as sent: Apollo's document store gives one text one parsed, validated document, and
  // the schema never changes while the process runs. Keyed then by the operation name as requested.
  const preparedByText = new LRUCache<string, Map<string, PreparedQuery>>({
    max: MAX_PREPARED_TEXTS,
    maxSize: MAX_PREPARED_BYTES,
    sizeCalculation: (_v, text) => Math.max(1, text.length),
  });

  function planFor(document: DocumentNode, operationName: string | null): Plan {
    let byName = plans.get(document);
    if (!byName) {
      byName = new Map();
      plans.set(document, byName);
    }
    const key = operationName ?? '';
    let plan = byName.get(key);
    if (!plan) {
      plan = { runs: 0 };
      byName.set(key, plan);
    }
    return plan;
  }

  function interpret(document: DocumentNode, operationName: string | null, variables: Record<string, unknown> | undefined, context: unknown) {
    stats.interpreted++;
    return execute({ schema, document, operationName, variableValues: variables, contextValue: context });
  }

  async function runCompiled(
    plan: { compiled: CompiledQuery; coercedAlike?: boolean },
    document: DocumentNode,
    operation: GatewayOperation,
    operationName: string | null,
    variables: Record<string, unknown> | undefined,
    context: unknown,
  ): Promise<ExecutionResult> {
    if (!plan.coercedAlike) {
      // graphql-js's coercion decides what a variable of these types may be, and how a refusal reads.
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 50 });
      if (coerced.errors) return { errors: coerced.errors };
    }
    const result = await plan.compiled.query(undefined, context, variables ?? {});
    // No data at all: it refused before resolving anything (variables it would not coerce, say);
    // graphql-js answers that one, with its own words for a refusal.
    if (result.data === undefined) return interpret(document, operationName, variables, context);
    stats.compiled++;
    return result.errors?.length ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  }

  const executor: Executor = async (rc) => {
    const { document, context } = rc;
    const executed = executedBefore(context);
    if (executed) return executed;
    const variables = rc.request.variables;
    // No operation by that name (or several and none named): graphql-js says so, and Apollo answers 400 as before.
    // (rc.operationName is the resolved operation's name, null here: graphql-js is given the name asked for.)
    const operation = rc.operation as GatewayOperation | undefined;
    if (!operation) return interpret(document, rc.request.operationName ?? null, variables, context);
    const operationName = rc.operationName;
    if (operation.operation !== 'query') return interpret(document, operationName, variables, context);
    const plan = planFor(document, operationName);
    if ('interpreted' in plan) return interpret(document, operationName, variables, context);
    if (!plan.compiled) {
      plan.runs++;
      if (plan.runs < COMPILE_ON_RUN) return interpret(document, operationName, variables, context);
      const compiled = compileQuery(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true });
      stats.compilations++;
      if (!isCompiledQuery(compiled)) {
        (plans.get(document) as Map<string, Plan>).set(operationName ?? '', { interpreted: true });
        return interpret(document, operationName, variables, context);
      }
      plan.compiled = compiled;
      plan.coercedAlike = variablesCoercedAlike(schema, operation.variableDefinitions ?? []);
      if (rc.source !== undefined) remember(rc.source, rc.request.operationName, { document, operation, operationName, plan: { compiled, coercedAlike: plan.coercedAlike } });
    }
    return runCompiled(plan as { compiled: CompiledQuery; coercedAlike?: boolean }, document, operation, operationName, variables, context);
  };

  function remember(text: string, requested: string | undefined, prepared: PreparedQuery) {
    let byName = preparedByText.get(text);
    if (!byName) {
      byName = new Map();
      preparedByText.set(text, byName);
    }
    byName.set(requested ?? '', prepared);
  }

  return {
    stats,
    prepared: (query, operationName) => preparedByText.get(query)?.get(operationName ?? ''),
    runPrepared: (p, variables, context) => runCompiled(p.plan, p.document, p.operation, p.operationName, variables, context),
    gateway: {
      onSchemaLoadOrUpdate(callback) {
        callback({ apiSchema: schema, coreSupergraphSdl: '' });
        return () => undefined;
      },
      async load() {
        return { executor };
      },
      async stop() {},
    },
  };
}

/** A graphql-jit error as the graphql-js GraphQLError graphql-js would have made for the same failure. */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const original = (error as { originalError?: Error | null }).originalError ?? undefined;
  const rebuilt = new GraphQLError(error.message, { path: error.path, originalError: original, extensions: error.extensions ?? undefined });
  // graphql-js computes locations from AST nodes; graphql-jit already has them.
  if (error.locations?.length) (rebuilt as { locations?: unknown }).locations = error.locations;
  return rebuilt;
}

