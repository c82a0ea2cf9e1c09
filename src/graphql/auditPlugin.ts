/**
 * Audits mutations over HTTP that never reached execution: refused after the
 * operation was known (a mutation over GET, a budget or cost limit, variables
 * that do not coerce). Mutations that did execute are audited by the schema
 * guard (guardSchema.ts), which marks the request's context; this plugin adds
 * one REFUSED entry per root field only when the guard saw none. Documents
 * that do not parse or validate name no operation and are not audited.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import type { AuditLog } from '../observability/auditLog.js';
import { wasAudited } from '../observability/auditLog.js';
import type { GraphQLContext } from './context.js';

/** The root field names an operation selects, fragments followed. */
export function rootFieldNames(operation: OperationDefinitionNode, document: DocumentNode | undefined): string[] {
  const names = new Set<string>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (s.kind === 'Field') names.add(s.name.value);
      else if (s.kind === 'InlineFragment') walk(s.selectionSet);
      else if (s.kind === 'FragmentSpread' && !seen.has(s.name.value)) {
        seen.add(s.name.value);
        const def = document?.definitions.find((d) => d.kind === 'FragmentDefinition' && d.name.value === s.name.value);
        if (def?.kind === 'FragmentDefinition') walk(def.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return [...names];
}

export function auditPlugin(audit: AuditLog): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(rc) {
          const op = rc.operation;
          if (!op || op.operation !== 'mutation' || wasAudited(rc.contextValue)) return;
          const errors = rc.response.body.kind === 'single' ? rc.response.body.singleResult.errors : undefined;
          if (!errors?.length) return;
          const code = errors[0]?.extensions?.code;
          const client = rc.contextValue.client;
          for (const field of rootFieldNames(op, rc.document)) {
            await audit.record({
              client: client.name,
              keyId: client.keyId,
              role: client.role,
              operationName: op.name?.value ?? null,
              field,
              arguments: null,
              variables: rc.request.variables ?? {},
              outcome: 'REFUSED',
              errorCode: typeof code === 'string' ? code : 'BAD_REQUEST',
              durationMs: performance.now() - started,
            });
          }
        },
      };
    },
  };
}
