/**
 * @apollo/subgraph (and @apollo/federation-internals under it) is loaded when
 * a subgraph schema is first built, not when the schema module is imported
 * (src/graphql/federation/subgraphSchema.ts). In a process of its own, so
 * nothing another test loaded counts.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const SCRIPT = `
import { createRequire } from 'node:module';
const { buildSchema } = await import('./src/graphql/schema.ts');
const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((f) => /node_modules\\/@apollo\\/(subgraph|federation-internals)\\//.test(f)).length > 0;
buildSchema();
const plain = loaded();
const schema = buildSchema({ federation: true });
console.log(JSON.stringify({ plain, federated: loaded(), entities: Boolean(schema.getQueryType()?.getFields()._entities) }));
`;

describe('the subgraph builder', () => {
  it('is not loaded for the plain schema, and is for the federated one', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { cwd: process.cwd(), encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(out.trim().split('\n').pop() as string)).toEqual({ plain: false, federated: true, entities: true });
  });
});
