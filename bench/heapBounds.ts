/**
 * Do the caches' configured bounds fit under the image's heap cap (the
 * Dockerfile's NODE_OPTIONS)? A cap below what the caches may hold would not
 * slow the gateway down, it would stop it ("JavaScript heap out of memory").
 * The gateway as the image runs it (`node dist/main.js`, production, the
 * image's flags, the default CACHE_MAX_ENTRIES and RESPONSE_CACHE_MAX_ENTRIES)
 * against the standalone sandbox:
 * 1. the entity cache filled past its bound: parts, prices and store products
 *    of PARTS ids (at least three entries an id), 100 ids a query, four at a time; the
 *    first ids asked again must miss (evicted: the cache is at its bound);
 * 2. the response cache filled past its bound with distinct 20-part answers
 *    (the throughput scenario's shape).
 * Each step reports V8's old space and heap in use (/metrics), external
 * memory and RSS, after the step and after a quiet 10 s; the process must
 * still be running at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGateway, heapLabel, imageNodeFlags } from './lib/buildGateway.js';
import { startGateway, startSandbox, upstreamEnv, type GatewayProcess } from './lib/crossdock.js';
import { formatNumber, mib, table } from './lib/format.js';
import { memoryOf, sleep } from './lib/proc.js';
import type { Scenario } from './lib/scenario.js';
import { randomIdSets } from './throughput/workload.js';

/** CACHE_MAX_ENTRIES' default is 200,000 (src/config.ts); at least three entries an id fill it before ~66,700 ids. */
const PARTS = 80_000;
/** RESPONSE_CACHE_MAX_ENTRIES' default is 10,000. */
const ANSWERS = 12_000;
const QUERY = 'query ($ids: [ID!]!) { parts(ids: $ids) { id partNumber price { amount } storeProduct { sku price { amount } } } }';

interface Figures {
  old: number;
  heapUsed: number;
  external: number;
  rss: number;
}

async function figures(gw: GatewayProcess): Promise<Figures & { misses: number }> {
  const text = await (await fetch(`${gw.url}/metrics`, { headers: { 'x-api-key': gw.key }, signal: AbortSignal.timeout(10_000) })).text();
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);
  let misses = 0;
  for (const m of text.matchAll(/^crossdock_cache_requests_total\{[^}]*result="miss"[^}]*\} (\S+)$/gm)) misses += Number(m[1]);
  return {
    old: value(/^crossdock_nodejs_heap_space_size_used_bytes\{space="old"\} (\S+)$/m),
    heapUsed: value(/^crossdock_nodejs_heap_size_used_bytes (\S+)$/m),
    external: value(/^crossdock_nodejs_external_memory_bytes (\S+)$/m),
    rss: (await memoryOf(gw.child.pid)).rss,
    misses,
  };
}

async function inParallel(n: number, next: () => string[] | undefined, gw: GatewayProcess): Promise<void> {
  const worker = async () => {
    for (let ids = next(); ids; ids = next()) await gw.gqlData(QUERY, { ids }, 60_000);
  };
  await Promise.all(Array.from({ length: n }, worker));
}

export const heapBounds: Scenario = {
  name: 'heapBounds',
  title: "The caches' bounds under the image's heap cap",
  timeoutMs: 10 * 60_000,
  async run(log) {
    buildGateway();
    const flags = imageNodeFlags();
    const dir = mkdtempSync(join(tmpdir(), 'crossdock-bench-heap-'));
    try {
      const sb = await startSandbox('sandbox (heap bounds)', {
        SANDBOX_PARTS: String(PARTS),
        SANDBOX_STORE_SHARE: '1',
        SANDBOX_ORDERS: '0',
        SANDBOX_FINDITPARTS_RATE_PER_SECOND: '100000',
        SANDBOX_FINDITPARTS_BURST: '1000000',
        SANDBOX_FINDITPARTS_PER_MINUTE: '10000000',
        SANDBOX_BIGCOMMERCE_QUOTA: '10000000',
      });
      const ttl = '3600';
      const gw = await startGateway(
        `gateway (heap bounds, ${heapLabel(flags)})`,
        dir,
        {
          ...upstreamEnv(sb, { fipRatePerSecond: 10_000, fipPerMinute: 1_000_000, bcQuota: 1_000_000, bcWindowMs: 30_000 }),
          // Nothing expires during the run: the bounds, not the TTLs, decide what is held.
          CACHE_TTL_PART_SECONDS: ttl,
          CACHE_TTL_PRICE_SECONDS: ttl,
          CACHE_TTL_PRODUCT_SECONDS: ttl,
          CACHE_TTL_STOCK_SECONDS: ttl,
        },
        flags,
        undefined,
        'image',
      );
      const rows: Array<Array<string>> = [];
      const row = (step: string, f: Figures) => rows.push([step, mib(f.old), mib(f.heapUsed), mib(f.external), mib(f.rss)]);
      await sleep(1_000);
      row('idle', await figures(gw));

      log(`  entity cache: ${formatNumber(PARTS)} parts, 100 a query …`);
      let from = 1;
      await inParallel(4, () => {
        if (from > PARTS) return undefined;
        const ids = Array.from({ length: Math.min(100, PARTS - from + 1) }, (_, i) => String(from + i));
        from += ids.length;
        return ids;
      }, gw);
      const filled = await figures(gw);
      row(`entity cache past its bound (${formatNumber(PARTS)} parts asked)`, filled);
      // Ids 100..1, not 1..100: the query the fill sent for them is in the response cache.
      await gw.gqlData(QUERY, { ids: Array.from({ length: 100 }, (_, i) => String(100 - i)) });
      const evicted = (await figures(gw)).misses - filled.misses;
      if (evicted === 0) throw new Error('parts 1-100 were all still cached: the entity cache did not reach its bound');
      await sleep(10_000);
      row('… after 10 s quiet', await figures(gw));

      log(`  response cache: ${formatNumber(ANSWERS)} distinct 20-part answers …`);
      const sets = randomIdSets({ range: 20_000, size: 20, seed: 9 });
      let sent = 0;
      await inParallel(4, () => (sent++ < ANSWERS ? sets.next().map((id) => String(PARTS - 20_000 + Number(id))) : undefined), gw).catch((err: unknown) => {
        // Say why: a heap cap below what the caches hold ends the process ("JavaScript heap out of memory").
        throw new Error(`${err instanceof Error ? err.message : String(err)} after ${formatNumber(sent)} answers; the gateway ${gw.child.child.exitCode === null && gw.child.child.signalCode === null ? 'is running' : `exited (${gw.child.child.exitCode ?? gw.child.child.signalCode})`}:\n${gw.child.output().slice(-3000)}`);
      });
      row(`+ response cache past its bound (${formatNumber(ANSWERS)} answers)`, await figures(gw));
      await sleep(10_000);
      row('… after 10 s quiet', await figures(gw));
      const alive = gw.child.child.exitCode === null && (await fetch(`${gw.url}/health`)).ok;
      if (!alive) throw new Error(`the gateway stopped:\n${gw.child.output().slice(-2000)}`);
      await gw.child.stop();
      await sb.child.stop();
      return `${table(['step', 'old space used', 'heap used', 'external', 'RSS'], rows)}

The gateway as the image runs it (\`node dist/main.js\`, \`NODE_ENV=production\`, the Dockerfile's
\`NODE_OPTIONS\`: \`${heapLabel(flags)}\`) with the default cache bounds (\`CACHE_MAX_ENTRIES\`
200,000, \`RESPONSE_CACHE_MAX_ENTRIES\` 10,000) and entity TTLs of 1 h, against the standalone
sandbox (${formatNumber(PARTS)} parts). Each part asked is three entity-cache entries (part, price,
store product; more with partNumber, stock and store-product-by-id primed beside them), so ${formatNumber(PARTS)} parts overfill the bound; asking parts 1–100 again (in another
order, so the response cache does not answer) then missed ${formatNumber(evicted)} times (they were evicted: the cache was full). The response cache's
answers are Buffers, counted in "external", outside V8's old space and its cap. Old space and heap
used are V8's (prom-client's \`nodejs_heap_space_size_used_bytes\`, \`nodejs_heap_size_used_bytes\`),
including garbage not yet collected; RSS is VmRSS. The gateway was still serving (\`/health\`) at the end.`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
