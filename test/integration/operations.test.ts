/**
 * The operations surface over real HTTP: the health model on /health and
 * /ready (healthy | degraded | unhealthy, a check per connector, the store
 * and the cache), the `alerts`, `dashboard`, `dashboardHistory` and `me`
 * fields for every role, the `dashboard` subscription over graphql-sse (a
 * snapshot every DASHBOARD_INTERVAL_MS, open streams counted), the
 * crossdock_alert_firing gauge, the business counters, and the
 * /dashboard page and its files: public, under the CSP, with the
 * generated key for loopback Hosts only.
 */
import { request as httpRequest } from 'node:http';
import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { setFaults } from '../support/sandbox.js';

const OPERATOR = 'ops-key-aaaaaaaaaaaaaaaa';
const VIEWER = 'view-key-bbbbbbbbbbbbbbbb';

let gw: TestGateway;
let dev: TestGateway;

beforeAll(async () => {
  [gw, dev] = await Promise.all([
    startGateway(
      {
        CROSSDOCK_API_KEYS: `ops:operator:${OPERATOR},viewer:viewer:${VIEWER}`,
        DASHBOARD_INTERVAL_MS: '300',
        ALERT_WINDOW_SECONDS: '3',
        ALERT_MIN_ATTEMPTS: '1',
        BREAKER_FAILURE_THRESHOLD: '2',
        BREAKER_COOLDOWN_MS: '60000',
        RETRY_DELAY_SCALE: '0.001',
        SYNC_PAGE_SIZE: '50',
      },
      { parts: 200, finditparts: { ratePerSecond: 500, burst: 500, perMinute: 50_000 }, bigcommerce: { quota: 5000 } },
    ),
    startGateway({}, { parts: 20 }),
  ]);
});
afterAll(async () => Promise.all([gw?.close(), dev?.close()]));

const as = (key: string) => ({ 'x-api-key': key });

/** GET a path with a chosen Host header (fetch does not let a test set one). */
function get(base: string, path: string, host: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, headers: { host, accept: 'text/html' }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('health', () => {
  it('/health: 200, healthy, a status per connector, the store and the cache, and no reasons (it needs no key)', async () => {
    const res = await fetch(`${gw.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'healthy', checks: { connectors: { finditparts: 'healthy', bigcommerce: 'healthy', ion: 'healthy', shopify: 'healthy', tiktok: 'healthy', whatsapp: 'healthy' }, store: 'healthy', cache: 'healthy' } });
  });

  it('/ready: the same model with each check’s details', async () => {
    const res = await fetch(`${gw.url}/ready`, { headers: as(VIEWER) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; state: string; checks: Record<string, Record<string, unknown>> };
    expect(body).toMatchObject({ status: 'healthy', state: 'ready' });
    expect(body.checks.connectors).toMatchObject({ finditparts: { status: 'healthy', sandbox: true, breakers: { finditparts: 'closed' } }, bigcommerce: { status: 'healthy' } });
    expect(body.checks.store).toMatchObject({ status: 'healthy', kind: 'embedded' });
    expect(body.checks.cache).toEqual({ status: 'healthy', kind: 'memory' });
  });
});

describe('the graph', () => {
  it('every role reads alerts, the dashboard, its history and who it is', async () => {
    for (const [key, name, role] of [[VIEWER, 'viewer', 'VIEWER'], [OPERATOR, 'ops', 'OPERATOR']] as const) {
      const res = await gw.gql(
        `{ me { name role } alerts { name severity state since threshold } dashboard { windowSeconds intervalMs health { status checks { name kind status } } upstreams { name connector breaker health } queues { manualReviewOrders } } dashboardHistory { at } }`,
        {},
        as(key),
      );
      expect(res.body.errors).toBeUndefined();
      const data = res.body.data as {
        me: { name: string; role: string };
        alerts: Array<{ name: string; severity: string; state: string; since: string; threshold: number }>;
        dashboard: { windowSeconds: number; intervalMs: number; health: { status: string; checks: Array<{ name: string; kind: string; status: string }> }; upstreams: Array<{ name: string; connector: string }> };
      };
      expect(data.me).toEqual({ name, role });
      expect(data.alerts.map((a) => `${a.name}/${a.severity}/${a.threshold}`)).toEqual([
        'UpstreamErrorRate/WARNING/0.05',
        'UpstreamErrorRate/CRITICAL/0.1',
        'UpstreamLatency/WARNING/2',
        'UpstreamLatency/CRITICAL/5',
        'UpstreamRateLimited/WARNING/10',
        'UpstreamRateLimited/CRITICAL/50',
        'SupplierOrdersFailed/WARNING/1',
        'SupplierOrdersFailed/CRITICAL/5',
      ]);
      for (const a of data.alerts) expect(Number.isNaN(Date.parse(a.since))).toBe(false);
      expect(data.dashboard).toMatchObject({ windowSeconds: 3, intervalMs: 300, health: { status: 'HEALTHY' } });
      expect(data.dashboard.health.checks.map((c) => `${c.kind}:${c.name}`)).toEqual(['CONNECTOR:finditparts', 'CONNECTOR:bigcommerce', 'CONNECTOR:ion', 'CONNECTOR:shopify', 'CONNECTOR:tiktok', 'CONNECTOR:whatsapp', 'STORE:store', 'CACHE:cache']);
      // A row for every upstream of every connector (the `upstreams` query lists the same).
      const listed = ((await gw.gql('{ upstreams { name } }', {}, as(key))).body.data?.upstreams as Array<{ name: string }>).map((u) => u.name);
      expect(data.dashboard.upstreams.map((u) => u.name)).toEqual(listed);
    }
  });

  it('the dashboard subscription pushes a snapshot at once and then one per interval, counting its own stream', async () => {
    const client = createClient({ url: `${gw.url}/graphql/stream`, headers: as(VIEWER), retryAttempts: 0 });
    const seen: Array<{ at: string; openStreams: number }> = [];
    await new Promise<void>((resolve, reject) => {
      const dispose = client.subscribe<{ dashboard: { at: string; system: { openStreams: number } } }>(
        { query: 'subscription { dashboard { at system { openStreams } } }' },
        {
          next: (r) => {
            if (r.errors) return reject(new Error(JSON.stringify(r.errors)));
            seen.push({ at: r.data!.dashboard.at, openStreams: r.data!.dashboard.system.openStreams });
            if (seen.length === 4) {
              dispose();
              resolve();
            }
          },
          error: reject,
          complete: () => resolve(),
        },
      );
      setTimeout(() => reject(new Error(`only ${seen.length} snapshots in 10 s`)), 10_000).unref();
    });
    client.dispose();
    expect(seen).toHaveLength(4);
    const times = seen.map((s) => Date.parse(s.at));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
    expect(Math.max(...seen.slice(1).map((s) => s.openStreams))).toBeGreaterThanOrEqual(1);
  });

  it('counts a sync’s parts and written products, and a failing supplier fires the error-rate alert and degrades health', async () => {
    const started = await gw.gql(`mutation { startSync(input: { kind: CATALOG, scope: { limit: 100 } }) { job { id } } }`, {}, as(OPERATOR));
    const id = (started.body.data?.startSync as { job: { id: string } }).job.id;
    const until = Date.now() + 30_000;
    for (;;) {
      const job = (await gw.gql(`query($id: ID!) { syncJob(id: $id) { status progress { processed created updated } } }`, { id }, as(OPERATOR))).body.data?.syncJob as { status: string; progress: { processed: number; created: number; updated: number } };
      if (job.status === 'SUCCEEDED') {
        const metrics = await (await fetch(`${gw.url}/metrics`, { headers: as(VIEWER) })).text();
        expect(metrics).toContain(`crossdock_sync_items_total{kind="processed"} ${job.progress.processed}`);
        expect(metrics).toContain(`crossdock_sync_items_total{kind="written"} ${job.progress.created + job.progress.updated}`);
        break;
      }
      if (Date.now() > until) throw new Error(`the sync is still ${job.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    await setFaults(gw.fipUrl, { errorRates: { '500': 1 } });
    try {
      // Uncached reads: every attempt answered 500 until the breaker opens.
      for (let i = 0; i < 3; i++) await gw.gql(`{ part(id: "${90_000 + i}") { id } }`, {}, as(VIEWER));
      const firing = async () => ((await gw.gql('{ alerts { name severity state } }', {}, as(VIEWER))).body.data?.alerts as Array<{ name: string; severity: string; state: string }>).filter((a) => a.name === 'UpstreamErrorRate' && a.state === 'FIRING').map((a) => a.severity);
      const deadline = Date.now() + 5_000;
      while ((await firing()).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await firing()).toEqual(['WARNING', 'CRITICAL']);
      const metrics = await (await fetch(`${gw.url}/metrics`, { headers: as(VIEWER) })).text();
      expect(metrics).toContain('crossdock_alert_firing{alertname="UpstreamErrorRate",severity="warning"} 1');
      // The breaker opened: the connector is unhealthy, the gateway degraded — and still live and ready.
      const health = await fetch(`${gw.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'degraded', checks: { connectors: { finditparts: 'unhealthy', bigcommerce: 'healthy' } } });
      const ready = await fetch(`${gw.url}/ready`, { headers: as(VIEWER) });
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'degraded', checks: { connectors: { finditparts: { status: 'unhealthy', reason: expect.stringMatching(/breaker open/) } } } });
    } finally {
      await setFaults(gw.fipUrl, {});
    }
  });
});

describe('the /dashboard page', () => {
  it('is public, under the self-only CSP, and loads its files from the gateway', async () => {
    const page = await fetch(`${gw.url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(sources).toEqual(['/dashboard/assets/uPlot.css', '/dashboard/dashboard.css', '/dashboard/assets/uPlot.js', '/dashboard/assets/graphql-sse.js', '/dashboard/dashboard.js']);
    for (const src of sources) {
      const res = await fetch(`${gw.url}${src}`);
      expect(res.status, src).toBe(200);
      expect(res.headers.get('content-type'), src).toMatch(src.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect((await res.text()).length, src).toBeGreaterThan(500);
    }
    expect((await fetch(`${gw.url}/dashboard/assets/nope.js`)).status).toBe(404);
    // Keys are configured: nothing is filled in.
    expect(html).toContain('"key":null');
    expect(html).not.toMatch(/<script>(?!<)/);
  });

  it('fills in the generated key for a loopback Host only', async () => {
    const port = new URL(dev.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) expect((await get(dev.url, '/dashboard', host)).body, host).toContain(dev.devKey!);
    for (const host of ['evil.example', 'rebind.attacker.test:4000', '127.0.0.1.evil.example']) {
      const page = await get(dev.url, '/dashboard', host);
      expect(page.status).toBe(200);
      expect(page.body, host).not.toContain(dev.devKey!);
    }
  });
});
