/**
 * Sandbox startup: spawn the standalone sandbox (`node --import tsx
 * src/sandbox/main.ts`, so the pid is the server itself) and time it from
 * spawn to the first successful answer of a deep catalog page on *both*
 * catalog origins, and of the Shopify twin's newest orders by UPDATED_AT
 * (its 100,000 orders' facts and sort index are built on that first
 * query); then read the server's RSS (and peak RSS) from /proc.
 * Goal (issue): under 5 s and under 300 MB for 1,000,000 parts.
 */
import { max, median, mib, ms, table } from './lib/format.js';
import { getJson, postJson } from './lib/http.js';
import { memoryOf, sleep, spawnNode } from './lib/proc.js';
import type { Scenario } from './lib/scenario.js';

const RUNS = 3;
const SIZES = [1_000_000, 5_000];
const GOAL_MS = 5_000;
const GOAL_BYTES = 300 * 1e6;

interface Sample {
  /** spawn → base URLs printed (process up, catalog built, both ports listening). */
  printedMs: number;
  /** The sandbox's own "ready in N ms" (createSandbox only, no module loading). */
  selfReportedMs: number;
  /** spawn → both deep-page requests answered 2xx. */
  answeredMs: number;
  fipItems: number;
  bcItems: number;
  /** spawn → the Shopify twin's first 2xx for its newest 50 orders by UPDATED_AT. */
  shopifyMs: number;
  shopifyItems: number;
  rss: number;
  peak: number;
}

/** Deep pages for a catalog of `parts`: FinditParts' last page, BigCommerce page parts/500 (store holds ~60%). */
export function deepPages(parts: number) {
  return { fipPage: Math.max(1, Math.floor(parts / 50)), bcPage: Math.max(1, Math.floor((parts * 0.5) / 250)) };
}

async function firstOk<T>(url: string, headers: Record<string, string>, deadline: number): Promise<T> {
  let last = '';
  while (performance.now() < deadline) {
    try {
      const { status, body } = await getJson<T>(url, headers, 10_000);
      if (status >= 200 && status < 300) return body;
      last = `HTTP ${status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(20);
  }
  throw new Error(`${url}: no successful answer (${last})`);
}

const SHOPIFY_QUERY = '{ orders(first: 50, sortKey: UPDATED_AT, reverse: true) { nodes { id updatedAt } } }';

async function firstShopifyPage(url: string, deadline: number): Promise<{ nodes: number; atMs: number }> {
  let last = '';
  while (performance.now() < deadline) {
    try {
      const { status, body } = await postJson<{ data?: { orders?: { nodes?: unknown[] } } }>(`${url}/admin/api/2025-10/graphql.json`, { query: SHOPIFY_QUERY }, { 'X-Shopify-Access-Token': 'sandbox-shopify-token' }, 10_000);
      if (status === 200 && body?.data?.orders?.nodes) return { nodes: body.data.orders.nodes.length, atMs: performance.now() };
      last = `HTTP ${status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(20);
  }
  throw new Error(`${url}: no successful Admin API answer (${last})`);
}

async function once(parts: number): Promise<Sample> {
  const child = spawnNode({
    script: 'src/sandbox/main.ts',
    label: `sandbox (${parts} parts)`,
    env: { SANDBOX_PARTS: String(parts), SANDBOX_HOST: '127.0.0.1', SANDBOX_FINDITPARTS_PORT: '0', SANDBOX_BIGCOMMERCE_PORT: '0', SANDBOX_ION_PORT: '0', SANDBOX_SHOPIFY_PORT: '0', SANDBOX_TIKTOK_PORT: '0', SANDBOX_WHATSAPP_PORT: '0' },
  });
  try {
    const m = await child.waitFor(/ready in (\d+) ms[\s\S]*FinditParts Reseller API\s+(\S+)[\s\S]*BigCommerce Management API\s+(\S+)[\s\S]*Shopify Admin GraphQL\s+(\S+)/, 60_000);
    const printedMs = performance.now() - child.spawnedAt;
    const [, self, fipBase, bcBase, shopifyUrl] = m;
    const { fipPage, bcPage } = deepPages(parts);
    const deadline = performance.now() + 60_000;
    const catalogs = Promise.all([
      firstOk<{ products?: unknown[] }>(`${fipBase}/products?page=${fipPage}&per=50`, { 'X-API-Key': 'sandbox-api-key' }, deadline),
      firstOk<{ data?: unknown[] }>(`${bcBase}/v3/catalog/products?page=${bcPage}&limit=250`, { 'X-Auth-Token': 'sandbox-token' }, deadline),
    ]).then((answers) => ({ answers, atMs: performance.now() }));
    const [{ answers: [fip, bc], atMs: catalogsAt }, shopify] = await Promise.all([catalogs, firstShopifyPage(shopifyUrl as string, deadline)]);
    const answeredMs = catalogsAt - child.spawnedAt;
    const mem = await memoryOf(child.pid);
    return {
      printedMs,
      selfReportedMs: Number(self),
      answeredMs,
      fipItems: fip.products?.length ?? 0,
      bcItems: bc.data?.length ?? 0,
      shopifyMs: shopify.atMs - child.spawnedAt,
      shopifyItems: shopify.nodes,
      ...mem,
    };
  } finally {
    await child.stop();
  }
}

export const sandboxStartup: Scenario = {
  name: 'sandboxStartup',
  title: 'Sandbox startup',
  timeoutMs: 4 * 60_000,
  async run(log) {
    const rows: Array<Array<string | number>> = [];
    const verdicts: string[] = [];
    for (const parts of SIZES) {
      const samples: Sample[] = [];
      for (let i = 1; i <= RUNS; i++) {
        const s = await once(parts);
        log(
          `  ${parts.toLocaleString('en-US')} parts, run ${i}: answered in ${ms(s.answeredMs)} (printed ${ms(s.printedMs)}, self-reported ${s.selfReportedMs} ms, Shopify ${ms(s.shopifyMs)}), RSS ${mib(s.rss)}, peak ${mib(s.peak)}, items ${s.fipItems}/${s.bcItems}/${s.shopifyItems}`,
        );
        if (s.fipItems === 0 || s.bcItems === 0 || s.shopifyItems !== 50) {
          throw new Error(`deep page empty for ${parts} parts (FinditParts ${s.fipItems}, BigCommerce ${s.bcItems}, Shopify ${s.shopifyItems} items)`);
        }
        samples.push(s);
      }
      const pick = (f: (s: Sample) => number) => samples.map(f);
      const { fipPage, bcPage } = deepPages(parts);
      rows.push([
        parts,
        `${fipPage} / ${bcPage}`,
        `${ms(median(pick((s) => s.answeredMs)))} / ${ms(max(pick((s) => s.answeredMs)))}`,
        `${ms(median(pick((s) => s.shopifyMs)))} / ${ms(max(pick((s) => s.shopifyMs)))}`,
        `${ms(median(pick((s) => s.printedMs)))} / ${ms(max(pick((s) => s.printedMs)))}`,
        `${ms(median(pick((s) => s.selfReportedMs)))} / ${ms(max(pick((s) => s.selfReportedMs)))}`,
        `${mib(median(pick((s) => s.rss)))} / ${mib(max(pick((s) => s.rss)))}`,
        `${mib(median(pick((s) => s.peak)))} / ${mib(max(pick((s) => s.peak)))}`,
      ]);
      if (parts === 1_000_000) {
        const worstMs = max(pick((s) => s.answeredMs));
        const worstRss = max(pick((s) => s.peak));
        verdicts.push(
          `Goal for 1,000,000 parts (under 5 s and under 300 MB): time ${worstMs < GOAL_MS ? 'met' : '**not met**'} (max ${ms(worstMs)}), memory ${worstRss < GOAL_BYTES ? 'met' : '**not met**'} (max peak RSS ${mib(worstRss)} = ${(worstRss / 1e6).toFixed(0)} MB).`,
        );
      }
    }
    return [
      `Standalone sandbox spawned as \`node --import tsx src/sandbox/main.ts\` (the pid measured is the server's), ports 0, ${RUNS} runs per size.`,
      `"Answered" is spawn → the first 2xx of **both** \`GET <fip>/products?page=P&per=50\` (X-API-Key) and`,
      `\`GET <bc>/v3/catalog/products?page=Q&limit=250\` (X-Auth-Token), sent as soon as the URLs are printed;`,
      `"printed" is spawn → base URLs on stdout; "self-reported" is the sandbox's own "ready in N ms" (catalog and`,
      `listeners only, no module loading). "Shopify" is spawn → the Shopify twin's first 2xx for`,
      `\`${SHOPIFY_QUERY}\` over its default 100,000 orders (whose facts and UPDATED_AT index that first query builds).`,
      `RSS is VmRSS right after all three answers; peak is VmHWM. Cells are median / max.`,
      '',
      table(['parts', 'page fip / bc', 'answered', 'Shopify', 'printed', 'self-reported', 'RSS', 'peak RSS'], rows),
      '',
      ...verdicts,
    ].join('\n');
  },
};
