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
    // counts; forks keep each file's servers and globals apart. Four on two
    // cores: most files wait on sockets, timers and child processes (crash
    // tests, the image replay, outage windows). Measured side by side on a
    // quiet two-core machine: 424 s with two, 337 s with three (four was
    // slower then, 350 s, while the image replay compiled SQLite); after the
    // suite's CPU came down, 300.6 s with three and 286.6 s with four.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 4, minForks: 1 } },
    reporters: ['default'],
    sequence: { sequencer: LongestFirst },
  },
});
