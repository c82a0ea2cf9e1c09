/**
 * `npm start`: read the config, build the gateway, listen, drain on SIGTERM.
 * With no upstream configured it runs the embedded default: the sandbox
 * in-process, loopback only, and a generated admin key printed below.
 */
import { ConfigError, loadConfig } from './config.js';
import { createGateway } from './gateway.js';
import { sandboxOptionsFromEnv } from './sandbox/config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const gateway = await createGateway(config, { sandbox: sandboxOptionsFromEnv() });
  const lines = [
    '',
    `Crossdock gateway (${config.mode}) listening on ${gateway.url}`,
    `  GraphQL     ${gateway.url}/graphql`,
    `  Playground  ${gateway.url}/playground`,
    `  Health      ${gateway.url}/health   Ready ${gateway.url}/ready   Metrics ${gateway.url}/metrics`,
  ];
  for (const c of gateway.services.connectors) {
    const base = c.upstreams.map((u) => u.http.baseUrl).join(', ');
    lines.push(`  ${c === gateway.services.connectors[0] ? 'Upstreams' : '         '}   ${c.title.padEnd(12)} ${base}${c.sandbox ? '   (embedded sandbox)' : ''}`);
  }
  if (gateway.devKey) {
    // Printed once, to the terminal that started a loopback-only development
    // gateway; never logged, never stored.
    lines.push(`  Dev API key ${gateway.devKey}   (admin; send as X-API-Key; the playground has it filled in)`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: draining\n`);
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
