/**
 * Applies the access policy (auth/accessPolicy.ts) and the mutation audit
 * (observability/auditLog.ts) to a built schema, by wrapping resolvers in
 * place. Being on the schema, both hold for every transport that executes it
 * (Apollo over HTTP, graphql-sse, graphql-ws), and a new resolver cannot
 * forget them.
 *
 * - A field with a required role gets a guard that throws FORBIDDEN before
 *   its resolver runs (a subscription field: before it subscribes).
 * - Every Mutation field is audited: the guard's refusal as REFUSED, the
 *   resolver's answer as OK (a typed rejection such as SupplierOrderRejected
 *   is an answer), its throw as ERROR with the error's code.
 * Fields outside the policy keep their resolvers untouched (no cost on the
 * read path).
 */
import type { GraphQLFieldResolver, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import { requiredRole } from '../auth/accessPolicy.js';
import { requireRole } from '../auth/roles.js';
import { noteAudited } from '../observability/auditLog.js';
import type { GraphQLContext } from './context.js';
import { ErrorCode, isGatewayError } from './errors.js';

type Resolver = GraphQLFieldResolver<unknown, GraphQLContext>;

/** graphql's default resolver, without importing graphql's values (its ESM and CJS builds may both be loaded). */
const defaultResolver: Resolver = (source, args, ctx, info) => {
  const value = (source as Record<string, unknown> | null | undefined)?.[info.fieldName];
  return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).call(source, args, ctx, info) : value;
};

/** By tag, not instanceof, for the same reason. */
const isObjectType = (t: unknown): t is GraphQLObjectType => Object.prototype.toString.call(t) === '[object GraphQLObjectType]';

/** The code a client sees for an error (non-gateway errors are masked as INTERNAL_SERVER_ERROR). */
export function clientErrorCode(err: unknown): string {
  if (!isGatewayError(err)) return ErrorCode.INTERNAL_SERVER_ERROR;
  const code = err.extensions?.code;
  return typeof code === 'string' ? code : ErrorCode.INTERNAL_SERVER_ERROR;
}

function guard(resolve: Resolver, type: string, field: string, role: NonNullable<ReturnType<typeof requiredRole>>): Resolver {
  return (source, args, ctx, info) => {
    requireRole(ctx.client, role, `${type}.${field}`);
    return resolve(source, args, ctx, info);
  };
}

function audited(resolve: Resolver, field: string, role: ReturnType<typeof requiredRole>): Resolver {
  return async (source, args, ctx, info: GraphQLResolveInfo) => {
    noteAudited(ctx);
    const started = performance.now();
    let outcome: 'OK' | 'ERROR' | 'REFUSED' = 'OK';
    let errorCode: string | null = null;
    try {
      if (role) {
        try {
          requireRole(ctx.client, role, field);
        } catch (err) {
          outcome = 'REFUSED';
          throw err;
        }
      }
      return await resolve(source, args, ctx, info);
    } catch (err) {
      if (outcome === 'OK') outcome = 'ERROR';
      errorCode = clientErrorCode(err);
      throw err;
    } finally {
      await ctx.services.audit?.record({
        client: ctx.client.name,
        keyId: ctx.client.keyId,
        role: ctx.client.role,
        operationName: info.operation.name?.value ?? null,
        field,
        arguments: args,
        variables: info.variableValues,
        outcome,
        errorCode,
        durationMs: performance.now() - started,
      });
    }
  };
}

/** Wraps the schema's guarded and mutation resolvers in place; answers the same schema. */
export function guardSchema(schema: GraphQLSchema): GraphQLSchema {
  const mutationType = schema.getMutationType()?.name;
  const subscriptionType = schema.getSubscriptionType()?.name;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const isMutation = type.name === mutationType;
    for (const field of Object.values(type.getFields())) {
      const role = requiredRole(type.name, field.name, isMutation);
      if (isMutation) {
        field.resolve = audited(field.resolve ?? defaultResolver, field.name, role);
      } else if (role && type.name === subscriptionType && field.subscribe) {
        field.subscribe = guard(field.subscribe as Resolver, type.name, field.name, role);
      } else if (role) {
        field.resolve = guard(field.resolve ?? defaultResolver, type.name, field.name, role);
      }
    }
  }
  return schema;
}
