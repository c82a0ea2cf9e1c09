#!/usr/bin/env node
/**
 * The `crossdock` command (package.json "bin"): a launcher only. It runs the
 * compiled CLI from dist/ when `npm run build` has made one, and otherwise
 * the TypeScript source through tsx's in-process ESM hooks (tsx is a runtime
 * dependency), so `npx crossdock` works in a fresh checkout from any working
 * directory: every path here is relative to this file, not to the cwd.
 * CROSSDOCK_CLI_SOURCE=1 forces the source even when dist/ exists (a stale
 * build would otherwise win). The CLI itself is src/cli/main.ts.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli/main.js', import.meta.url);
const useBuilt = existsSync(fileURLToPath(built)) && !['1', 'true'].includes(process.env.CROSSDOCK_CLI_SOURCE ?? '');

let cli;
if (useBuilt) {
  cli = await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}

const code = await cli.main(process.argv.slice(2));

// Exit once stdout and stderr have drained: an idle keep-alive socket or a
// closed stream's timer must not hold the prompt, and piped output must not be cut.
let open = 2;
const done = () => {
  if (--open === 0) process.exit(code);
};
process.stdout.write('', done);
process.stderr.write('', done);
