/**
 * The operation guard's cost estimates kept per parsed document and variable
 * shape (queryCost.ts computes them): a repeated query with new ids is not
 * walked again.
 */
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { estimateCost, type CostModel } from './queryCost.js';

/**
 * What of a request's variables an estimate can depend on, as a key to keep
 * the estimate under for that document: every value as sent, except that a
 * list of scalars becomes `[its length]`. Only a list's length reaches a
 * cost (sizeFromArguments takes list arguments' lengths; FIELD_COSTS read
 * object fields and whether they are null), so `parts(ids:)` with any 20 ids
 * costs what 20 ids cost. A list holding an object (`_entities`'
 * representations, which ENTITY_COSTS read one by one) is kept whole, so
 * `[n]` in a key always stands for a list of n scalars. A FIELD_COSTS or
 * ENTITY_COSTS rule that reads a list of scalars' members must change this.
 */
export function costVariablesKey(variables: Readonly<Record<string, unknown>> | null | undefined): string {
  // JSON.stringify(variables, scalarListsAsLengths), written out for the top level: a replacer
  // function makes JSON.stringify call back for every value, ids included (1 % of the executing
  // path), and a request's variables are almost always scalars and lists of them.
  if (!variables) return '{}';
  let out = '{';
  for (const name in variables) {
    if (!Object.prototype.hasOwnProperty.call(variables, name)) continue;
    const value = variables[name];
    if (value === undefined || typeof value === 'function') continue;
    const text = isScalarList(value) ? `[${value.length}]` : typeof value === 'object' && value !== null ? JSON.stringify(value, scalarListsAsLengths) : JSON.stringify(value);
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(name)}:${text}`;
  }
  return `${out}}`;
}

const isScalarList = (value: unknown): value is unknown[] => Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object');
const scalarListsAsLengths = (_key: string, value: unknown): unknown => (isScalarList(value) ? [value.length] : value);

/** Estimates kept per document (past it, that document's start over). */
const ESTIMATES_PER_DOCUMENT = 256;

/**
 * estimateCost for one schema and model, each estimate kept per parsed
 * document (Apollo hands back the same DocumentNode for every request of a
 * query text) and operation under costVariablesKey: a repeated query with
 * new ids is not walked again.
 */
export function memoizedCost(schema: GraphQLSchema, model?: Partial<CostModel>) {
  const kept = new WeakMap<DocumentNode, Map<string, number>>();
  return (document: DocumentNode, operationName: string | null | undefined, variables: Readonly<Record<string, unknown>> | null | undefined): number => {
    let byKey = kept.get(document);
    if (!byKey) {
      byKey = new Map();
      kept.set(document, byKey);
    }
    const key = `${operationName ?? ''}\u0000${costVariablesKey(variables)}`;
    let cost = byKey.get(key);
    if (cost === undefined) {
      cost = estimateCost(schema, document, { operationName, variables, model });
      if (byKey.size >= ESTIMATES_PER_DOCUMENT) byKey.clear();
      byKey.set(key, cost);
    }
    return cost;
  };
}
