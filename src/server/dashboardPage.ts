/**
 * The operations dashboard at `/dashboard`: a page served entirely from the
 * gateway and installed packages (uPlot for the charts, graphql-sse for the
 * live snapshot), so it works with no internet, under the same strict CSP as
 * the playground (its script, style and config are files or a JSON data
 * block; nothing inline). The page holds no data: it signs in with an API
 * key (the generated development key is filled in for loopback callers, as
 * the playground does), reads the graph with it, and offers the actions —
 * retry or cancel an order in manual review, retry a job's failed items,
 * start a sync — only to operators; the mutations refuse viewers anyway.
 */
import type { FastifyInstance } from 'fastify';
import { DASHBOARD_SCRIPT } from './dashboardScript.js';
import { DASHBOARD_STYLE } from './dashboardStyle.js';
import { loadPackageAssets, mayShowDevKey } from './playground.js';

/** Asset name → [package file, content type]: built files of maintained packages, served as they ship. */
const ASSETS: Record<string, readonly [string, string]> = {
  'uPlot.js': ['uplot/dist/uPlot.iife.min.js', 'text/javascript; charset=utf-8'],
  'uPlot.css': ['uplot/dist/uPlot.min.css', 'text/css; charset=utf-8'],
  'graphql-sse.js': ['graphql-sse/umd/graphql-sse.min.js', 'text/javascript; charset=utf-8'],
};

export interface DashboardOptions {
  endpoint: string;
  streamEndpoint: string;
  /** The key filled in (the embedded default's generated key, loopback callers only). */
  key?: string;
}

export function dashboardHtml(options: DashboardOptions): string {
  const config = JSON.stringify({ endpoint: options.endpoint, streamEndpoint: options.streamEndpoint, key: options.key ?? null }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Crossdock operations</title>
<link rel="stylesheet" href="/dashboard/assets/uPlot.css">
<link rel="stylesheet" href="/dashboard/dashboard.css">
</head>
<body>
<header id="top">
  <h1>Crossdock <span>operations</span></h1>
  <div id="health" class="badge" data-status="unknown" title="Gateway health">…</div>
  <div id="connection" data-state="idle"></div>
  <div id="updated"></div>
  <div id="who"></div>
  <button type="button" id="signout" hidden>Sign out</button>
</header>
<section id="signin" hidden>
  <form id="signin-form">
    <h2>Sign in</h2>
    <p>The dashboard reads the graph with your API key: a viewer key sees, an operator key may act.</p>
    <label for="key">API key</label>
    <input id="key" name="key" type="password" autocomplete="off" spellcheck="false" required>
    <button type="submit">Sign in</button>
    <p id="signin-error" role="alert"></p>
  </form>
</section>
<main id="main" hidden>
  <section id="alerts-panel" class="panel wide">
    <h2>Alerts</h2>
    <div id="alerts-summary" data-level="ok"></div>
    <table id="alerts"><thead><tr><th>rule</th><th>state</th><th>now</th><th>warning</th><th>critical</th><th>since</th></tr></thead><tbody></tbody></table>
  </section>
  <section id="upstreams-panel" class="panel wide">
    <h2>Upstreams</h2>
    <table id="upstreams"><thead><tr><th>upstream</th><th>health</th><th>breaker</th><th>p50</th><th>p95</th><th>p99</th><th>success</th><th>req/min</th><th>429/min</th><th>quota left</th><th>queue (interactive / bulk)</th><th>in flight</th></tr></thead><tbody></tbody></table>
  </section>
  <section id="business-panel" class="panel">
    <h2>Business</h2>
    <div id="business" class="cards"></div>
  </section>
  <section id="system-panel" class="panel">
    <h2>System</h2>
    <div id="system" class="cards"></div>
    <ul id="health-checks"></ul>
  </section>
  <section id="jobs-panel" class="panel wide">
    <h2>Sync jobs</h2>
    <div id="sync-actions" class="operator-only"></div>
    <div id="jobs"><p class="empty">No sync job is running.</p></div>
  </section>
  <section id="charts-panel" class="panel wide">
    <h2>Last hour</h2>
    <div id="charts"></div>
  </section>
  <section id="review-panel" class="panel wide">
    <h2>Orders in manual review</h2>
    <div id="review"><p class="empty">Loading…</p></div>
  </section>
  <section id="failures-panel" class="panel wide">
    <h2>Failed sync items</h2>
    <div id="failures"><p class="empty">Loading…</p></div>
  </section>
</main>
<div id="notice" role="status" hidden></div>
<!-- The config comes before dashboard.js, which reads it as soon as it runs. -->
<script type="application/json" id="crossdock-config">${config}</script>
<script src="/dashboard/assets/uPlot.js"></script>
<script src="/dashboard/assets/graphql-sse.js"></script>
<script src="/dashboard/dashboard.js"></script>
</body>
</html>`;
}

/**
 * `/dashboard` and its files. Public like the playground (the page holds no
 * data; everything it shows it reads with the key it is given).
 */
export function registerDashboardRoutes(app: FastifyInstance, options: { devKey?: string }): void {
  const assets = loadPackageAssets(ASSETS);
  app.get('/dashboard', async (request, reply) => {
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
    // The generated key goes to loopback callers only (a DNS-rebinding page or a stranger on 0.0.0.0 gets none).
    const key = options.devKey && mayShowDevKey(request.raw) ? options.devKey : undefined;
    return dashboardHtml({ endpoint: '/graphql', streamEndpoint: '/graphql/stream', key });
  });
  app.get('/dashboard/dashboard.js', async (_request, reply) => {
    reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'no-cache');
    return DASHBOARD_SCRIPT;
  });
  app.get('/dashboard/dashboard.css', async (_request, reply) => {
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'no-cache');
    return DASHBOARD_STYLE;
  });
  app.get<{ Params: { name: string } }>('/dashboard/assets/:name', async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) return reply.code(404).send({ error: 'no such asset' });
    reply.header('content-type', asset.contentType).header('cache-control', 'public, max-age=86400');
    return asset.body;
  });
}
