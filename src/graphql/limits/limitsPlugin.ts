/**
 * The operation guard in Apollo Server's request pipeline (GraphQL over HTTP).
 * graphqlHandler.ts has screened the request before Apollo saw it (safelist,
 * tokens, and depth, aliases and directives before validation: Apollo's
 * earlier hooks cannot refuse with a status of their own). Here, in
 * didResolveOperation (validated, before execution): the shape again (for a
 * document a hash-only APQ request resolved), introspection for the role,
 * cost, and the charge against the client's budget.
 *
 * A refusal is thrown as a gateway error carrying its HTTP status and headers
 * in `extensions.http` (Apollo moves them to the response and strips them from
 * the body), so it is answered before any resolver, and so any upstream call,
 * runs. What was charged goes to the request's `context.charge`, for the
 * RateLimit headers and the response cache.
 */
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import type { GraphQLContext } from '../context.js';
import { gatewayError, type ErrorCode } from '../errors.js';
import type { LimitRefusal, OperationGuard } from './operationGuard.js';

/** A refusal as an error Apollo answers with its status and headers. */
export function refusalError(refusal: LimitRefusal): GraphQLError {
  return gatewayError(refusal.code as ErrorCode, refusal.message, {
    ...refusal.details,
    http: { status: refusal.status, headers: new HeaderMap(Object.entries(refusal.headers ?? {})) },
  });
}

export function limitsPlugin(guard: OperationGuard): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          // Shape again, on the document Apollo resolved: a hash-only (APQ) request was not screened.
          const refusal = guard.checkShape(rc.document);
          if (refusal) throw refusalError(refusal);
          // Decided already when the direct path admitted this request (src/server/directExecution.ts): never charged twice.
          const charge = rc.contextValue.charge;
          const admission = charge?.admission ?? (await guard.admit(rc.contextValue.client, rc.document, rc.request.operationName, rc.request.variables));
          if (!admission.ok) throw refusalError(admission.refusal);
          if (charge) {
            charge.cost = admission.cost;
            charge.decision = admission.decision;
          }
        },
      };
    },
  };
}
