/**
 * The direct path: a query Apollo Server has already parsed, validated,
 * resolved and seen compiled (compiledExecution.ts `prepared`) is admitted
 * and run again without Apollo's pipeline, when the request is one Apollo
 * would take exactly as it stands. Measured side by side on the throughput
 * benchmark's executing path (distinct 20-id sets, production defaults),
 * Apollo's pipeline around a compiled run — its hooks' promise chains over
 * every plugin, the request and response heads, the context's copies — cost
 * about a third of a request's CPU (bench/RESULTS.md, "pipelineLayers").
 *
 * What keeps it what Apollo answers:
 * - Only a request Apollo would take unchanged: POST, `Content-Type:
 *   application/json` (which is also what satisfies Apollo's CSRF
 *   prevention, apollo-server's preventCsrf), a JSON object body with a
 *   non-empty `query`, an `operationName` string or none, `variables` an
 *   object or none, and no `extensions` (persisted queries stay Apollo's),
 *   and an Accept header whose answer type Apollo already chose
 *   (answerContentType.ts). Anything else goes to Apollo as before.
 * - What Apollo's pipeline would run for it, run here in the same order:
 *   the gateway's plugins' work (cacheHintsPlugin's operation type, the
 *   limits plugin's shape check and admission) and the executor's compiled
 *   run. Apollo's own plugins are off (transports.ts), and the audit plugin
 *   reads mutations only, which are never prepared.
 * - An answer with any error is not written here: the request goes to
 *   Apollo's pipeline with the result already computed (`context.executed`,
 *   returned by the executor rather than run again) and the admission
 *   already decided (`charge.admission`, so the budget is charged once), and
 *   Apollo formats, masks and answers it as always. A refusal by the
 *   admission goes the same way: Apollo's limits plugin throws it.
 * - An answer without errors is the one Apollo writes: `{"data":…}` with
 *   `extensions.stale` when a stale value was served, the same
 *   stringifyResult, `Cache-Control: no-store`, the content type Apollo
 *   chose for the Accept header.
 * - Off once Apollo Server is stopping (it would refuse the operation), and
 *   off entirely with DIRECT_EXECUTION=false.
 */
import type { ExecutionResult, FormattedExecutionResult } from 'graphql';
import type { CompiledExecution } from '../graphql/compiledExecution.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { OperationGuard } from '../graphql/limits/operationGuard.js';
import type { PlainRequest } from './graphqlHandler.js';

export interface DirectExecution {
  /**
   * The result of running `req` directly, or undefined when Apollo's pipeline answers it (not one the
   * direct path takes, or refused by the admission, which is then in `context.charge.admission`).
   * A result with errors is for Apollo to answer (see above).
   */
  run(req: PlainRequest, context: GraphQLContext): Promise<ExecutionResult | undefined>;
  /** The body Apollo would write for a result without errors. */
  body(result: ExecutionResult, context: GraphQLContext): string;
  /** From now on every request goes to Apollo's pipeline (it is stopping). */
  stop(): void;
}

export interface DirectExecutionOptions {
  execution: Pick<CompiledExecution, 'prepared' | 'runPrepared'>;
  /** The guard Apollo's limits plugin admits with; without one nothing is charged, as in Apollo's pipeline. */
  guard?: OperationGuard;
  /** Apollo Server's `stringifyResult`. */
  stringifyResult: (result: FormattedExecutionResult) => string;
}

/** The Content-Type values sent for JSON bodies; any other spelling is Apollo's to judge (its MIME parser). */
const JSON_CONTENT_TYPE = /^application\/json\s*(?:;\s*charset="?utf-8"?\s*)?$/i;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The request's operation as Apollo's runHttpQuery would read it, when Apollo would read it without objection. */
export function directRequest(req: PlainRequest): { query: string; operationName: string | undefined; variables: Record<string, unknown> | undefined } | undefined {
  if (req.method !== 'POST') return undefined;
  const contentType = req.headers['content-type'];
  if (typeof contentType !== 'string' || !JSON_CONTENT_TYPE.test(contentType)) return undefined;
  const body = req.body;
  if (!isRecord(body)) return undefined;
  const { query, operationName, variables } = body;
  if (typeof query !== 'string' || query === '' || body.extensions !== undefined) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  if (variables !== undefined && variables !== null && !isRecord(variables)) return undefined;
  // Apollo reads a null operationName or variables as absent (runHttpQuery's fieldIfString, fieldIfRecord).
  return { query, operationName: operationName ?? undefined, variables: variables ?? undefined };
}

export function createDirectExecution(options: DirectExecutionOptions): DirectExecution {
  const { execution, guard, stringifyResult } = options;
  let stopped = false;
  return {
    async run(req, context) {
      if (stopped) return undefined;
      const request = directRequest(req);
      if (!request) return undefined;
      const prepared = execution.prepared(request.query, request.operationName);
      if (!prepared) return undefined;
      // didResolveOperation, in the plugins' order (transports.ts): cacheHintsPlugin, then the limits plugin.
      context.hints.operation = prepared.operation.operation;
      if (guard) {
        // A shape refusal is Apollo's limits plugin's to throw (it checks first, as here).
        if (guard.checkShape(prepared.document)) return undefined;
        let admission;
        try {
          admission = await guard.admit(context.client, prepared.document, request.operationName, request.variables);
        } catch {
          // The budget store failed (Redis, say): Apollo's limits plugin asks again and answers the failure as always.
          return undefined;
        }
        const charge = (context.charge ??= {});
        charge.admission = admission;
        if (!admission.ok) return undefined;
        charge.cost = admission.cost;
        charge.decision = admission.decision;
      }
      try {
        return await execution.runPrepared(prepared, request.variables, context);
      } catch {
        // Not expected (graphql-jit and graphql-js answer a resolver's throw as an error): Apollo runs it again
        // and answers the failure as it always did, with the admission already decided (charged once).
        return undefined;
      }
    },
    body(result, context) {
      // cacheHintsPlugin's willSendResponse, then runHttpQuery's field order (errors, data, extensions).
      context.hints.hadErrors = false;
      const extensions = context.hints.stale ? { ...result.extensions, stale: true } : result.extensions;
      return stringifyResult({ errors: undefined, data: result.data, extensions });
    },
    stop() {
      stopped = true;
    },
  };
}
