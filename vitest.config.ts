import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import LongestFirst from './test/support/longestFirst.js';

export default defineConfig({
  resolve: {
    // graphql-js ships two builds (index.js CommonJS, index.mjs ESM) whose classes are strangers:
    // a schema built by one fails the other's instanceof checks. Node resolves the gateway's
    // `import 'graphql'` to the CommonJS build (package.json "main"), as Apollo Server,
    // @graphql-tools, graphql-sse and graphql-ws `require` it; Vite's resolver would pick the
    // "module" (ESM) build for the same import. Pin the one Node uses, so tests run what ships.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests bind real loopback ports and some measure request
    // counts; forks keep each file's servers and globals apart. Three on two
    // cores: most files wait on sockets, timers and child processes (the
    // image replay, crash tests), so a third fork cut a quiet run from 424 s
    // to 337 s, every test green.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 3, minForks: 1 } },
    reporters: ['default'],
    sequence: { sequencer: LongestFirst },
  },
});
