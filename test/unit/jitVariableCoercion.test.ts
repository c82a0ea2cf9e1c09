/**
 * graphql-jit coerces a compiled document's variables itself; for variables
 * of built-in scalars and enums, in lists and non-nulls, compiledExecution.ts
 * lets it do so alone (graphql-js no longer coerces them first). That holds
 * only if graphql-jit refuses whatever graphql-js refuses and, where both
 * accept, hands the resolvers the same values. Checked here side by side on
 * the libraries themselves: every such type shape, with and without a
 * default, against inputs of every JSON kind (missing, null, strings,
 * numbers at the integer edges, booleans, lists, nested lists, objects).
 * A refusal by graphql-jit alone is allowed (the executor then runs
 * graphql-js, whose refusal is the answer); an acceptance by graphql-jit
 * alone, or different values, fails.
 */
import { buildSchema, execute, parse, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { describe, expect, it } from 'vitest';
import { variablesCoercedAlike } from '../../src/graphql/compiledExecution.js';

const BASES = ['ID', 'String', 'Int', 'Float', 'Boolean', 'Color'];
const SHAPES = ['T', 'T!', '[T]', '[T!]', '[T]!', '[T!]!', '[[T]]', '[[T!]!]!'];
const DEFAULTS: Record<string, string> = { ID: '"x1"', String: '"s"', Int: '7', Float: '1.5', Boolean: 'true', Color: 'RED' };

const INPUTS: unknown[] = [
  undefined,
  null,
  '',
  'abc',
  '1',
  'RED',
  'red',
  0,
  1,
  -1,
  1.5,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  2 ** 53,
  Number.MAX_VALUE,
  true,
  false,
  [],
  [null],
  ['a', null],
  ['RED', 'GREEN'],
  [1, 2],
  [1, '2'],
  [1.5],
  [true],
  [[1], [2, 3]],
  [[null]],
  [[]],
  {},
  { a: 1 },
  [{}],
];

/** The variable definitions of a document's one operation. */
const variableDefinitions = (document: DocumentNode): readonly VariableDefinitionNode[] => (document.definitions[0] as OperationDefinitionNode).variableDefinitions ?? [];

/** A schema whose one field echoes its argument, as the resolver receives it. */
function echoSchema(type: string): GraphQLSchema {
  const schema = buildSchema(`enum Color { RED GREEN }\ntype Query { echo(v: ${type}): String }`);
  const field = schema.getQueryType()!.getFields().echo!;
  field.resolve = (_root, args: { v?: unknown }) => JSON.stringify('v' in args ? { v: args.v } : { absent: true });
  return schema;
}

describe('graphql-jit and graphql-js coerce built-in scalar and enum variables alike', () => {
  it('classifies variable types: built-in scalars and enums in any wrapping, nothing else', () => {
    const schema = buildSchema('enum Color { RED GREEN } scalar Decimal input F { a: Int } type Query { x(a: ID, b: Decimal, c: F, d: Color, e: Float): Int }');
    const defs = (vars: string) => variableDefinitions(parse(`query Q(${vars}) { x }`));
    expect(variablesCoercedAlike(schema, defs('$a: [ID!]!, $b: Int, $c: [[Color]], $d: String!, $e: Float, $f: Boolean'))).toBe(true);
    expect(variablesCoercedAlike(schema, defs('$a: ID, $b: Decimal'))).toBe(false);
    expect(variablesCoercedAlike(schema, defs('$c: [F!]'))).toBe(false);
    expect(variablesCoercedAlike(schema, defs('$u: Unknown'))).toBe(false);
  });

  it('refuses what graphql-js refuses and passes the same values where both accept', async () => {
    let bothAccepted = 0;
    let bothRefused = 0;
    for (const base of BASES) {
      for (const shape of SHAPES) {
        const type = shape.replace('T', base);
        const schema = echoSchema(type);
        const withDefault = !type.endsWith('!');
        for (const declared of withDefault ? [type, `${type} = ${shape.startsWith('[[') ? `[[${DEFAULTS[base]}]]` : shape.startsWith('[') ? `[${DEFAULTS[base]}]` : DEFAULTS[base]}`] : [type]) {
          const document = parse(`query Q($v: ${declared}) { echo(v: $v) }`);
          expect(variablesCoercedAlike(schema, variableDefinitions(document)), declared).toBe(true);
          const compiled = compileQuery(schema, document, 'Q');
          if (!isCompiledQuery(compiled)) throw new Error(`graphql-jit did not compile ${declared}`);
          for (const input of INPUTS) {
            const variables = input === undefined ? {} : { v: input };
            const js = await execute({ schema, document, variableValues: variables });
            const jit = await compiled.query(undefined, {}, variables);
            const what = `$v: ${declared} given ${JSON.stringify(input)}`;
            if (jit.data !== undefined) {
              expect(js.data, `${what}: graphql-jit accepted what graphql-js refused (${JSON.stringify(js.errors)})`).toBeDefined();
              expect(jit.data, what).toEqual(js.data);
              expect(jit.errors ?? [], what).toHaveLength(js.errors?.length ?? 0);
              bothAccepted++;
            } else if (js.data === undefined) {
              bothRefused++;
            }
          }
        }
      }
    }
    // The inputs reach both sides of the line.
    expect(bothAccepted).toBeGreaterThan(200);
    expect(bothRefused).toBeGreaterThan(200);
  });
});
