/**
 * Hostile-query limits on a document's shape: lexical tokens (before
 * parsing), selection depth, aliases and directives (after parsing, before
 * validation, so a document built to make validation slow is refused before
 * validation runs). Fragments are expanded — a fragment spread ten times
 * counts ten times — memoised per fragment and guarded against cycles, so the
 * checks stay linear in the document's size whatever its fragments do.
 * A fragment no operation reaches (unused, or shadowed by a later one of the
 * same name) is never executed but is still validated, once: it counts once,
 * so directives piled into it cannot reach validation past the limit.
 *
 * Each limit is configurable (MAX_QUERY_DEPTH, MAX_ALIASES, MAX_DIRECTIVES,
 * MAX_TOKENS) and refused with QUERY_TOO_COMPLEX. The same checks run for
 * GraphQL over HTTP (limitsPlugin.ts) and over SSE and WebSocket
 * (operationGuard.ts).
 */
import { Kind, Lexer, Source, TokenKind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

export interface ShapeLimits {
  /** Deepest field nesting; `{ a { b } }` is 2. */
  maxDepth: number;
  /** Every alias counts, `__typename` included. */
  maxAliases: number;
  /** Every directive use counts (on fields, fragments, operations, variables). */
  maxDirectives: number;
}

export interface ShapeViolation {
  limit: 'depth' | 'aliases' | 'directives' | 'tokens';
  /** What the document has (at least: counting stops just past the limit where it can). */
  actual: number;
  max: number;
}

export interface DocumentShape {
  depth: number;
  aliases: number;
  directives: number;
}

/** Tokens as graphql's parser counts them for `maxTokens` (comments excluded), stopping once past `max`. */
export function countTokens(query: string, max = Number.POSITIVE_INFINITY): number {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      count += 1;
      if (count > max) break;
    }
  } catch {
    // A lexical error: the parser reports it; what was counted so far stands.
  }
  return count;
}

export function checkTokens(query: string, maxTokens: number): ShapeViolation | undefined {
  const tokens = countTokens(query, maxTokens);
  return tokens > maxTokens ? { limit: 'tokens', actual: tokens, max: maxTokens } : undefined;
}

/** Depth, aliases and directives of a parsed (not necessarily valid) document, fragments expanded. */
export function measureDocument(document: DocumentNode): DocumentShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const memo = new Map<string, DocumentShape>();
  const onPath = new Set<string>();
  /** Fragment definitions measured through a spread (by node: a shadowed one of the same name is another). */
  const reached = new Set<FragmentDefinitionNode>();

  function measureSet(set: SelectionSetNode): DocumentShape {
    const out: DocumentShape = { depth: 0, aliases: 0, directives: 0 };
    for (const sel of set.selections) {
      out.directives += sel.directives?.length ?? 0;
      if (sel.kind === Kind.FIELD) {
        const child = sel.selectionSet ? measureSet(sel.selectionSet) : { depth: 0, aliases: 0, directives: 0 };
        out.depth = Math.max(out.depth, 1 + child.depth);
        out.aliases += (sel.alias ? 1 : 0) + child.aliases;
        out.directives += child.directives;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        add(out, measureSet(sel.selectionSet));
      } else {
        const spread = measureSpread(sel.name.value);
        add(out, spread);
      }
    }
    return out;
  }

  function measureSpread(name: string): DocumentShape {
    const known = memo.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    // Unknown fragments and cycles are validation errors; they add nothing here.
    if (!fragment || onPath.has(name)) return { depth: 0, aliases: 0, directives: 0 };
    onPath.add(name);
    reached.add(fragment);
    const shape = measureSet(fragment.selectionSet);
    shape.directives += fragment.directives?.length ?? 0;
    onPath.delete(name);
    memo.set(name, shape);
    return shape;
  }

  const total: DocumentShape = { depth: 0, aliases: 0, directives: 0 };
  for (const def of document.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    const shape = measureSet(def.selectionSet);
    total.depth = Math.max(total.depth, shape.depth);
    total.aliases += shape.aliases;
    total.directives += shape.directives + (def.directives?.length ?? 0) + variableDirectives(def);
  }
  // Validation visits every definition, reached or not (each unknown directive in them is one error).
  for (const def of document.definitions) {
    if (def.kind !== Kind.FRAGMENT_DEFINITION || reached.has(def)) continue;
    const shape = measureSet(def.selectionSet);
    shape.directives += def.directives?.length ?? 0;
    add(total, shape);
  }
  return total;
}

function variableDirectives(def: OperationDefinitionNode): number {
  return (def.variableDefinitions ?? []).reduce((n, v) => n + (v.directives?.length ?? 0), 0);
}

function add(into: DocumentShape, shape: DocumentShape): void {
  into.depth = Math.max(into.depth, shape.depth);
  // Saturating: a fragment tree can multiply counts past any float.
  into.aliases = Math.min(Number.MAX_SAFE_INTEGER, into.aliases + shape.aliases);
  into.directives = Math.min(Number.MAX_SAFE_INTEGER, into.directives + shape.directives);
}

/** The first limit a document breaks, if any. */
export function checkShape(document: DocumentNode, limits: ShapeLimits): ShapeViolation | undefined {
  const shape = measureDocument(document);
  if (shape.depth > limits.maxDepth) return { limit: 'depth', actual: shape.depth, max: limits.maxDepth };
  if (shape.aliases > limits.maxAliases) return { limit: 'aliases', actual: shape.aliases, max: limits.maxAliases };
  if (shape.directives > limits.maxDirectives) return { limit: 'directives', actual: shape.directives, max: limits.maxDirectives };
  return undefined;
}

/**
 * Whether the operation reads the schema: `__schema` or `__type` (`__typename`
 * is not introspection), or a federation subgraph's `_service { sdl }` on the
 * query root, which is the whole schema as SDL (the subgraph spec's
 * introspection: https://www.apollographql.com/docs/graphos/reference/federation/subgraph-spec#fetch-service-capabilities),
 * so the same roles may read it.
 */
export function usesIntrospection(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const seen = new Set<string>();
  const atRoot = operation.operation === 'query';
  const visit = (set: SelectionSetNode, root: boolean): boolean =>
    set.selections.some((sel) => {
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        return name === '__schema' || name === '__type' || (root && name === '_service') || (sel.selectionSet ? visit(sel.selectionSet, false) : false);
      }
      if (sel.kind === Kind.INLINE_FRAGMENT) return visit(sel.selectionSet, root);
      const name = sel.name.value;
      if (seen.has(name)) return false;
      seen.add(name);
      const fragment = fragments.get(name);
      return fragment ? visit(fragment.selectionSet, root) : false;
    });
  return visit(operation.selectionSet, atRoot);
}

/** The message of a violation, for the client. */
export function describeViolation(v: ShapeViolation): string {
  switch (v.limit) {
    case 'depth':
      return `the query is ${v.actual} levels deep; at most ${v.max} are allowed`;
    case 'aliases':
      return `the query has ${v.actual} aliases; at most ${v.max} are allowed`;
    case 'directives':
      return `the query has ${v.actual} directives; at most ${v.max} are allowed`;
    case 'tokens':
      return `the query has more than ${v.max} tokens; at most ${v.max} are allowed`;
  }
}
