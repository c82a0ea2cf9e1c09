/**
 * `npm run sandbox`: the vendor simulators as a standalone process, for
 * running gateways against (scale-out tests, docker-compose) or exploring by
 * hand. Prints the base URLs and credentials; drains on SIGTERM/SIGINT.
 */
import { sandboxOptionsFromEnv } from './config.js';
import { createSandbox } from './createSandbox.js';

async function main(): Promise<void> {
  const started = performance.now();
  const sandbox = await createSandbox(sandboxOptionsFromEnv());
  const { finditparts: fip, bigcommerce: bc, ion, shopify } = sandbox.options;
  const ms = Math.round(performance.now() - started);
  process.stdout.write(
    [
      `Crossdock sandbox ready in ${ms} ms (${sandbox.options.parts.toLocaleString('en-US')} parts, seed ${sandbox.options.seed})`,
      ``,
      `FinditParts Reseller API  ${sandbox.finditparts.apiBase}`,
      `  X-API-Key: ${fip.apiKey}   or   Bearer JWT (HS256) iss=${fip.clientId} secret=${fip.clientSecret}`,
      `  limits: ${fip.ratePerSecond}/s, burst ${fip.burst}, ${fip.perMinute}/min`,
      `BigCommerce Management API ${sandbox.bigcommerce.apiBase}`,
      `  X-Auth-Token: ${bc.accessToken}   app client ${bc.appClientId} / ${bc.appClientSecret}`,
      `  quota: ${bc.quota} requests per ${bc.windowMs / 1000} s`,
      `Infor ION API (M3)         ${sandbox.ion.url} (tenant ${ion.tenant})`,
      `  .ionapi file: GET ${sandbox.ion.url}/__sandbox/ionapi   (save it and point ION_API_FILE at it)`,
      `  tokens live ${ion.tokenTtlSeconds} s; throttling ${ion.requestsPerWindow} requests per ${ion.windowMs} ms`,
      `Shopify Admin GraphQL      ${sandbox.shopify.url} (shop ${shopify.shopDomain}, ${shopify.orders.toLocaleString('en-US')} orders)`,
      `  POST ${sandbox.shopify.url}/admin/api/2025-10/graphql.json   (any YYYY-MM version)`,
      `  X-Shopify-Access-Token: ${shopify.accessToken}   webhook secret: ${shopify.apiSecret}`,
      `  cost bucket: ${shopify.bucketSize} points, restores ${shopify.restoreRate}/s, at most ${shopify.maxQueryCost} per query`,
      ``,
      `Admin (each origin): /__sandbox/stats  /__sandbox/faults  /__sandbox/reset  /__sandbox/openapi.json`,
      ``,
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: closing the sandbox\n`);
    const deadline = setTimeout(() => process.exit(1), 10_000);
    deadline.unref();
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
