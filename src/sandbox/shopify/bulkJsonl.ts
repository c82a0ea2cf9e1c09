/**
 * A bulk query's result as JSONL (upstreams.md, "Bulk operations": one
 * object per line; nested nodes get their own lines with `"__parentId":
 * "<parent gid>"`, after their parent). Each node of a connection is a line
 * of its own: its fields in selection order, nested objects inline, nested
 * connections left out (their nodes follow as lines of their own, right
 * after their parent's), then `__parentId` for a child.
 *
 * Also the vendor's rules for what a bulk query may be, which the sandbox
 * checks before it starts one: a query (no variables) whose root is a
 * connection, at most five connections, at most two levels of them, every
 * connection selecting `edges { node }` or `nodes`, and a node that has a
 * nested connection selecting its `id` (children name it as `__parentId`).
 */
import {
  getNamedType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

export interface JsonlLine {
  value: Record<string, unknown>;
  /** Whether the line is a root node (counted in `rootObjectCount`). */
  root: boolean;
}

const isConnection = (name: string) => name.endsWith('Connection');

/** The fields of a selection on a concrete type, fragments flattened, in order. */
function fieldsOf(set: SelectionSetNode, type: GraphQLObjectType, fragments: Record<string, FragmentDefinitionNode>, out: FieldNode[] = []): FieldNode[] {
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) out.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (!sel.typeCondition || sel.typeCondition.name.value === type.name) fieldsOf(sel.selectionSet, type, fragments, out);
    } else {
      const frag = fragments[sel.name.value];
      if (frag && frag.typeCondition.name.value === type.name) fieldsOf(frag.selectionSet, type, fragments, out);
    }
  }
  return out;
}

const keyOf = (f: FieldNode) => f.alias?.value ?? f.name.value;

interface ConnectionShape {
  field: FieldNode;
  nodeType: GraphQLObjectType;
  /** The node selection, from `edges { node }` or `nodes`. */
  nodeSelection: SelectionSetNode;
  /** Where the nodes are in the connection's value. */
  via: { edges: string; node: string } | { nodes: string };
}

function connectionShape(field: FieldNode, connType: GraphQLObjectType, fragments: Record<string, FragmentDefinitionNode>): ConnectionShape | string {
  if (!field.selectionSet) return `connection ${field.name.value} selects nothing`;
  for (const f of fieldsOf(field.selectionSet, connType, fragments)) {
    if (f.name.value === 'edges' && f.selectionSet) {
      const edgeType = getNamedType(connType.getFields().edges!.type) as GraphQLObjectType;
      const node = fieldsOf(f.selectionSet, edgeType, fragments).find((e) => e.name.value === 'node');
      if (node?.selectionSet) {
        return { field, nodeType: getNamedType(edgeType.getFields().node!.type) as GraphQLObjectType, nodeSelection: node.selectionSet, via: { edges: keyOf(f), node: keyOf(node) } };
      }
    }
    if (f.name.value === 'nodes' && f.selectionSet) {
      return { field, nodeType: getNamedType(connType.getFields().nodes!.type) as GraphQLObjectType, nodeSelection: f.selectionSet, via: { nodes: keyOf(f) } };
    }
  }
  return `connection ${field.name.value} must select edges { node } or nodes`;
}

/** Checks a bulk query's shape; returns the problem, or undefined when it may run. */
export function bulkQueryProblem(schema: GraphQLSchema, root: FieldNode, fragments: Record<string, FragmentDefinitionNode>): string | undefined {
  const queryType = schema.getQueryType()!;
  let connections = 0;
  function walkConnection(field: FieldNode, parent: GraphQLObjectType, depth: number): string | undefined {
    const connType = getNamedType(parent.getFields()[field.name.value]!.type) as GraphQLObjectType;
    connections++;
    if (connections > 5) return 'Bulk queries cannot contain more than 5 connections.';
    if (depth > 2) return 'Bulk queries cannot contain connections with a nesting depth greater than 2.';
    const shape = connectionShape(field, connType, fragments);
    if (typeof shape === 'string') return shape;
    return walkNode(shape.nodeSelection, shape.nodeType, depth);
  }
  function walkNode(set: SelectionSetNode, type: GraphQLObjectType, depth: number): string | undefined {
    const fields = fieldsOf(set, type, fragments);
    let nested = false;
    for (const f of fields) {
      const def = type.getFields()[f.name.value];
      if (!def) continue;
      const named = getNamedType(def.type);
      if (!isObjectType(named)) continue;
      if (isConnection(named.name)) {
        nested = true;
        const problem = walkConnection(f, type, depth + 1);
        if (problem) return problem;
      } else if (f.selectionSet) {
        const problem = walkNode(f.selectionSet, named, depth);
        if (problem) return problem;
      }
    }
    if (nested && !fields.some((f) => f.name.value === 'id' && !f.alias)) return `The parent '${type.name}' of a nested connection must select the 'id' field.`;
    return undefined;
  }
  const def = queryType.getFields()[root.name.value];
  if (!def || !isConnection(getNamedType(def.type).name)) return 'Bulk queries must contain at least one connection, at their root.';
  return walkConnection(root, queryType, 1);
}

/** The lines of one executed page of the bulk query: `data[root]` is the root connection's value. */
export function* jsonlLines(schema: GraphQLSchema, root: FieldNode, fragments: Record<string, FragmentDefinitionNode>, data: Record<string, unknown>): Generator<JsonlLine> {
  const queryType = schema.getQueryType()!;

  function* connection(value: unknown, field: FieldNode, parent: GraphQLObjectType, parentId: string | undefined): Generator<JsonlLine> {
    if (!value || typeof value !== 'object') return;
    const connType = getNamedType(parent.getFields()[field.name.value]!.type) as GraphQLObjectType;
    const shape = connectionShape(field, connType, fragments);
    if (typeof shape === 'string') return;
    const v = value as Record<string, unknown>;
    const nodes: unknown[] =
      'edges' in shape.via
        ? ((v[shape.via.edges] as Array<Record<string, unknown>> | undefined) ?? []).map((e) => e[(shape.via as { node: string }).node])
        : ((v[shape.via.nodes] as unknown[] | undefined) ?? []);
    for (const n of nodes) yield* node(n, shape.nodeSelection, shape.nodeType, parentId);
  }

  function* node(value: unknown, set: SelectionSetNode, type: GraphQLObjectType, parentId: string | undefined): Generator<JsonlLine> {
    if (!value || typeof value !== 'object') return;
    const v = value as Record<string, unknown>;
    const line: Record<string, unknown> = {};
    const children: Array<{ field: FieldNode; value: unknown }> = [];
    for (const f of fieldsOf(set, type, fragments)) {
      const key = keyOf(f);
      const def = type.getFields()[f.name.value];
      const named = def ? getNamedType(def.type) : undefined;
      if (named && isObjectType(named) && isConnection(named.name)) children.push({ field: f, value: v[key] });
      else if (!(key in line)) line[key] = v[key];
    }
    if (parentId !== undefined) line.__parentId = parentId;
    yield { value: line, root: parentId === undefined };
    const id = typeof v.id === 'string' ? v.id : undefined;
    for (const c of children) yield* connection(c.value, c.field, type, id);
  }

  yield* connection(data[keyOf(root)], root, queryType, undefined);
}
