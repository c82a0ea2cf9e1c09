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
    `  Dashboard   ${gateway.url}/dashboard`,
    `  Health      ${gateway.url}/health   Ready ${gateway.url}/ready   Metrics ${gateway.url}/metrics`,
  ];
  // The URLs in one column, however long a connector's title ("WhatsApp Cloud API").
  const titleWidth = Math.max(0, ...gateway.services.connectors.map((c) => c.title.length));
  for (const c of gateway.services.connectors) {
    const base = c.upstreams.map((u) => u.http.baseUrl).join(', ');
    lines.push(`  ${c === gateway.services.connectors[0] ? 'Upstreams' : '         '}   ${c.title.padEnd(titleWidth)}  ${base}${c.sandbox ? '   (embedded sandbox)' : ''}`);
  }
  if (gateway.devKey) {
    // Printed once, to the terminal that started a loopback-only development
    // gateway; never logged, never stored.
    lines.push(`  Dev API key ${gateway.devKey}   (admin; send as X-API-Key; the playground and the dashboard have it filled in)`);
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
  // SIGHUP: re-read the keys file (CROSSDOCK_API_KEYS_FILE); requests in flight keep the keys they found.
  process.on('SIGHUP', () => gateway.reloadKeys('SIGHUP'));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
