/**
 * The dashboard's script, served as a file so a strict CSP needs no inline
 * script. Plain browser JavaScript (no build step): it signs in with an API
 * key (`me`), draws the last hour from `dashboardHistory` with uPlot, then
 * follows the `dashboard` subscription over graphql-sse, redrawing every
 * panel from each snapshot. The work queues are read with the existing
 * queries (`supplierOrders`, `syncJobs`) when a snapshot shows they may have
 * changed (the review count, the jobs listed) and after an action — never on
 * a timer: the reads are charged to the key's budget like any client's — and
 * acted on with the existing
 * mutations, so roles, the audit log and idempotency hold as for any
 * client; a viewer gets no action buttons at all. Everything a server sent
 * is put in the page as text (textContent), never as markup.
 *
 * This module holds the documents and the assembly; the script's parts live
 * in one module each (src/server/dashboard*Script.ts), kept under the
 * project's 400-line limit.
 */
import { DASHBOARD_HELPERS_SCRIPT } from './dashboardHelpersScript.js';
import { DASHBOARD_SIGN_IN_SCRIPT } from './dashboardSignInScript.js';
import { DASHBOARD_CHARTS_SCRIPT } from './dashboardChartsScript.js';
import { DASHBOARD_STREAM_SCRIPT } from './dashboardStreamScript.js';
import { DASHBOARD_PANELS_SCRIPT } from './dashboardPanelsScript.js';
import { DASHBOARD_QUEUES_SCRIPT } from './dashboardQueuesScript.js';

/** The GraphQL documents the page sends (bench/dashboardIdle.ts sends the same ones). */
export const DASHBOARD_DOCUMENTS = {
  me: 'query DashboardMe { me { name role } }',
  history:
    'query DashboardHistory { dashboardHistory { at upstreams { name requestsPerMinute throttledPerMinute latencyP95Ms successRate } ' +
    'business { partsSyncedPerHour productsWrittenPerHour supplierOrdersPlacedPerHour supplierOrdersFailedPerHour } system { cpuPercent eventLoopLagMs } } }',
  snapshot:
    'subscription Dashboard { dashboard { at intervalMs windowSeconds ' +
    'health { status checks { name kind status reason } } ' +
    'alerts { name severity state since value threshold unit upstream summary } ' +
    'upstreams { name connector title sandbox health healthReason breaker latencyP50Ms latencyP95Ms latencyP99Ms successRate requestsPerMinute throttledPerMinute quotaRemaining quotaLimit queue { interactive bulk } inFlight } ' +
    'business { partsSyncedPerHour productsWrittenPerHour syncFailuresPerHour supplierOrdersPlacedPerHour supplierOrdersFailedPerHour errorRate } ' +
    'system { cpuPercent rssBytes heapUsedBytes eventLoopLagMs openStreams uptimeSeconds } ' +
    'jobs { id kind status dryRun startedBy createdAt finishedAt error progress { total processed created updated failed percent ratePerSecond etaSeconds phase } } ' +
    'queues { manualReviewOrders } } }',
  // The work queues: each read only when a snapshot shows it may have changed (the review count, the
  // jobs listed), never on a timer; sized so opening the page and acting fit a default client budget.
  review:
    'query DashboardReview { supplierOrders(filter: { status: [MANUAL_REVIEW] }, first: 20) { totalCount edges { node { id poNumber status attempts lastError createdAt updatedAt storeOrderId lines { sku quantity } } } } }',
  failures:
    'query DashboardFailures { syncJobs(filter: { status: [SUCCEEDED, FAILED, CANCELLED] }, first: 10) { edges { node { id kind status finishedAt retryOf dryRun progress { processed failed } failures(first: 3) { totalCount nodes { sku partNumber code message attempts } } } } } }',
} as const;

/**
 * The script the page receives: one function scope holding the shared
 * constants and `state`, then the parts in their order (each opens with the
 * blank line before it, so the text served is what it was as one file), then
 * the start, which signs in once every part's `var`s are set.
 */
export const DASHBOARD_SCRIPT = String.raw`(function () {
  'use strict';
  var DOCS = ${JSON.stringify(DASHBOARD_DOCUMENTS)};
  var config = JSON.parse(document.getElementById('crossdock-config').textContent);
  var KEY_STORE = 'crossdock.dashboard.key';
  var HOUR_MS = 3600 * 1000;
  var COLORS = ['#0969da', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e', '#0a7d91', '#57606a'];
  var state = { key: null, role: null, points: [], charts: [], sse: null, unsubscribe: null, upstreamNames: [], sigs: { review: null, failures: null }, loading: {}, again: {}, busy: {}, armed: {} };
` +
  DASHBOARD_HELPERS_SCRIPT +
  DASHBOARD_SIGN_IN_SCRIPT +
  DASHBOARD_CHARTS_SCRIPT +
  DASHBOARD_STREAM_SCRIPT +
  DASHBOARD_PANELS_SCRIPT +
  DASHBOARD_QUEUES_SCRIPT +
  String.raw`
  // Start ------------------------------------------------------------------------------
  $('signin-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var key = $('key').value.trim();
    if (key) signIn(key);
  });
  $('signout').addEventListener('click', signOut);
  var initial = sessionStorage.getItem(KEY_STORE) || config.key;
  if (initial) signIn(initial); else showSignIn('');
})();
`;
