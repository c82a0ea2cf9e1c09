/**
 * What a query costs (upstreams.md, "Cost-based throttle": 1 per object, a
 * connection costs `first` × its children; an approximation the sandbox
 * computes and reports, the connector paces on what is reported).
 *
 * The sandbox's rules, the same for the requested cost (from the document,
 * before running it) and the actual cost (from what was returned):
 *   - scalars, enums and `__` meta fields: 0;
 *   - an object (or an object behind an interface or union): 1 plus its
 *     fields; for the requested cost of an abstract field, the costliest of
 *     its possible types;
 *   - a connection (a type named `…Connection`): 2 plus, per node, the cost
 *     of the connection's selection; requested with `first` (or `last`)
 *     nodes, actual with the nodes returned. Its edges and `pageInfo` are
 *     free wrappers (each `edges { node }` and `nodes` node is one object);
 *   - a list of objects that is not a connection (`nodes(ids:)`): the
 *     length of `ids` (1 otherwise) times one element;
 *   - a mutation field: 10, whatever it selects.
 */
import {
  getArgumentValues,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isListType,
  isNonNullType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export const MUTATION_COST = 10;
const CONNECTION_COST = 2;

const isConnection = (name: string) => name.endsWith('Connection');
/** Wrappers that carry no data of their own. */
const isFree = (name: string) => name.endsWith('Edge') || name === 'PageInfo';

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  /** Guards against fragment cycles (validation rejects them; this keeps a bug from hanging). */
  depth: number;
}

function applies(schema: GraphQLSchema, condition: string | undefined, type: GraphQLObjectType): boolean {
  if (!condition || condition === type.name) return true;
  const cond = schema.getType(condition);
  return cond !== undefined && isAbstractType(cond) && schema.isSubType(cond, type);
}

function selectionCost(set: SelectionSetNode | undefined, parent: GraphQLCompositeType, w: Walk): number {
  if (!set || w.depth > 64) return 0;
  const types = isAbstractType(parent) ? w.schema.getPossibleTypes(parent) : [parent];
  let max = 0;
  for (const t of types) max = Math.max(max, objectCost(set, t, w));
  return max;
}

function objectCost(set: SelectionSetNode, type: GraphQLObjectType, w: Walk): number {
  let sum = 0;
  const inner = { ...w, depth: w.depth + 1 };
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) sum += fieldCost(sel, type, inner);
    else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (applies(w.schema, sel.typeCondition?.name.value, type)) sum += objectCost(sel.selectionSet, type, inner);
    } else {
      const frag = w.fragments[sel.name.value];
      if (frag && applies(w.schema, frag.typeCondition.name.value, type)) sum += objectCost(frag.selectionSet, type, inner);
    }
  }
  return sum;
}

function argumentsOf(def: GraphQLField<unknown, unknown>, node: FieldNode, w: Walk): Record<string, unknown> {
  try {
    return getArgumentValues(def, node, w.variables);
  } catch {
    return {};
  }
}

const pageSize = (args: Record<string, unknown>) => {
  const n = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : 0;
  return Math.max(0, n);
};

function fieldCost(node: FieldNode, parent: GraphQLObjectType, w: Walk): number {
  const name = node.name.value;
  if (name.startsWith('__')) return 0;
  const def = parent.getFields()[name];
  if (!def) return 0;
  const named = getNamedType(def.type);
  if (!isCompositeType(named)) return 0;
  const children = selectionCost(node.selectionSet, named, w);
  if (isFree(named.name)) return children;
  if (isConnection(named.name)) return CONNECTION_COST + pageSize(argumentsOf(def, node, w)) * children;
  if (isList(def.type)) {
    const ids = argumentsOf(def, node, w).ids;
    return (Array.isArray(ids) ? ids.length : 1) * (1 + children);
  }
  return 1 + children;
}

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** The requested cost of an operation, before it runs. */
export function requestedCost(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>, variables: Record<string, unknown>): number {
  if (operation.operation === 'mutation') {
    return operation.selectionSet.selections.filter((s) => s.kind !== Kind.FIELD || !s.name.value.startsWith('__')).length * MUTATION_COST;
  }
  const root = schema.getQueryType();
  if (!root) return 0;
  return objectCost(operation.selectionSet, root, { schema, fragments, variables, depth: 0 });
}

/** Counts the actual cost while a document executes: call `count` with each field's resolved value. */
export interface ActualCost {
  count(value: unknown, info: GraphQLResolveInfo): void;
  total(): number;
}

export function createActualCost(): ActualCost {
  let total = 0;
  return {
    count(value, info) {
      if (info.fieldName.startsWith('__')) return;
      if (info.operation.operation === 'mutation') {
        if (info.path.prev === undefined) total += MUTATION_COST;
        return;
      }
      if (value === null || value === undefined) return;
      const named = getNamedType(info.returnType);
      if (!isCompositeType(named) || isFree(named.name)) return;
      if (isConnection(named.name)) total += CONNECTION_COST;
      else if (Array.isArray(value)) total += value.filter((v) => v !== null && v !== undefined).length;
      else total += 1;
    },
    total: () => total,
  };
}
