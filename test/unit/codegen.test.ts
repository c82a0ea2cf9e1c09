/** The generated resolver types must match schema/*.graphql: regenerate with `npm run codegen`. */
import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { expect, it } from 'vitest';
import config from '../../codegen.js';

it('src/graphql/generated/resolvers.ts is up to date with the schema', async () => {
  const outputs = (await generate(config, false)) as Array<{ filename: string; content: string }>;
  for (const out of outputs) {
    const onDisk = readFileSync(out.filename, 'utf8');
    expect(onDisk, `${out.filename} is stale: run npm run codegen`).toBe(out.content);
  }
  expect(outputs.length).toBeGreaterThan(0);
}, 60_000);
