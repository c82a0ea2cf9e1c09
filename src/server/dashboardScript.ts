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
 */
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

export const DASHBOARD_SCRIPT = String.raw`(function () {
  'use strict';
  var DOCS = ${JSON.stringify(DASHBOARD_DOCUMENTS)};
  var config = JSON.parse(document.getElementById('crossdock-config').textContent);
  var KEY_STORE = 'crossdock.dashboard.key';
  var HOUR_MS = 3600 * 1000;
  var COLORS = ['#0969da', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e', '#0a7d91', '#57606a'];
  var state = { key: null, role: null, points: [], charts: [], sse: null, unsubscribe: null, upstreamNames: [], sigs: { review: null, failures: null }, loading: {}, again: {}, busy: {}, armed: {} };

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'text') e.textContent = String(v);
        else if (k === 'class') e.className = v;
        else if (k === 'onclick') e.addEventListener('click', v);
        else e.setAttribute(k, v === true ? '' : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function canAct() { return state.role === 'OPERATOR' || state.role === 'ADMIN'; }

  // Formatting ---------------------------------------------------------------
  function num(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return '—';
    var d = digits === undefined ? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2) : digits;
    return Number(v).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: 0 });
  }
  function compact(v) {
    if (v === null || v === undefined) return '';
    var a = Math.abs(v);
    return a >= 1e6 ? num(v / 1e6, 1) + 'M' : a >= 1e4 ? num(v / 1e3, 0) + 'k' : a >= 1e3 ? num(v / 1e3, 1) + 'k' : num(v, a < 10 ? 1 : 0);
  }
  function pct(ratio) { return ratio === null || ratio === undefined ? '—' : num(ratio * 100, ratio * 100 >= 10 ? 1 : 2) + ' %'; }
  function msText(v) { return v === null || v === undefined ? '—' : v >= 1000 ? num(v / 1000, 2) + ' s' : num(v, v >= 100 ? 0 : 1) + ' ms'; }
  function bytes(v) { return v >= 1073741824 ? num(v / 1073741824, 2) + ' GiB' : num(v / 1048576, 0) + ' MiB'; }
  function clock(iso) { var d = new Date(iso); return isNaN(d.getTime()) ? '—' : d.toLocaleTimeString('en-GB'); }
  function ago(iso) {
    var s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.round(s / 60) + ' min ago';
    if (s < 86400) return Math.round(s / 3600) + ' h ago';
    return Math.round(s / 86400) + ' d ago';
  }
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds < 60) return seconds + ' s';
    if (seconds < 3600) return Math.floor(seconds / 60) + ' min ' + (seconds % 60) + ' s';
    return Math.floor(seconds / 3600) + ' h ' + Math.floor((seconds % 3600) / 60) + ' min';
  }
  function byUnit(value, unit) {
    if (value === null || value === undefined) return '—';
    if (unit === 'ratio') return pct(value);
    if (unit === 'seconds') return num(value, 2) + ' s';
    if (unit === 'per minute') return num(value, 1) + '/min';
    return num(value, 0);
  }
  function short(id) { return String(id).slice(0, 8); }
  function errorText(body) {
    var e = body && body.errors && body.errors[0];
    if (!e) return 'no answer';
    return e.message + (e.extensions && e.extensions.code ? ' (' + e.extensions.code + ')' : '');
  }

  // The API ------------------------------------------------------------------
  function gql(query, variables) {
    return fetch(config.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', 'x-api-key': state.key },
      body: JSON.stringify({ query: query, variables: variables || {} }),
    }).then(function (res) {
      return res.json().then(function (body) { return { status: res.status, body: body }; }, function () { return { status: res.status, body: {} }; });
    });
  }

  var noticeTimer = null;
  function notice(text, kind) {
    var n = $('notice');
    n.textContent = text;
    n.setAttribute('data-kind', kind || 'ok');
    n.hidden = false;
    if (noticeTimer) clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () { n.hidden = true; }, 6000);
  }

  // Signing in ----------------------------------------------------------------
  function showSignIn(message) {
    $('signin').hidden = false;
    $('main').hidden = true;
    $('signout').hidden = true;
    $('signin-error').textContent = message || '';
    $('key').focus();
  }

  function signIn(key) {
    state.key = key;
    return gql(DOCS.me).then(function (r) {
      var me = r.body && r.body.data && r.body.data.me;
      if (!me) {
        state.key = null;
        sessionStorage.removeItem(KEY_STORE);
        showSignIn(r.status === 401 ? 'That key was refused.' : 'Sign-in failed: ' + errorText(r.body));
        return;
      }
      sessionStorage.setItem(KEY_STORE, key);
      state.role = me.role;
      document.body.setAttribute('data-role', me.role.toLowerCase());
      $('who').textContent = me.name + ' · ' + me.role.toLowerCase();
      $('signin').hidden = true;
      $('main').hidden = false;
      $('signout').hidden = false;
      renderSyncActions();
      return loadHistory().then(subscribe);
    }, function () { showSignIn('The gateway could not be reached.'); });
  }

  function signOut() {
    sessionStorage.removeItem(KEY_STORE);
    state.sigs = { review: null, failures: null };
    if (state.unsubscribe) state.unsubscribe();
    if (state.sse) state.sse.dispose();
    state.sse = null;
    state.key = null;
    state.role = null;
    document.body.removeAttribute('data-role');
    $('who').textContent = '';
    showSignIn('');
  }

  // Charts (uPlot) --------------------------------------------------------------
  var UPSTREAM_CHARTS = [
    { title: 'Upstream response time, p95 (ms)', value: function (u) { return u.latencyP95Ms; } },
    { title: 'Upstream requests per minute', value: function (u) { return u.requestsPerMinute; } },
    { title: 'Upstream error rate (%)', value: function (u) { return u.successRate === null ? null : (1 - u.successRate) * 100; } },
    { title: 'Rate-limit hits (429) per minute', value: function (u) { return u.throttledPerMinute; } },
  ];
  var OTHER_CHARTS = [
    { title: 'Business, per hour', lines: [
      ['parts synced', function (p) { return p.business.partsSyncedPerHour; }],
      ['products written', function (p) { return p.business.productsWrittenPerHour; }],
      ['orders placed', function (p) { return p.business.supplierOrdersPlacedPerHour; }],
      ['orders failed', function (p) { return p.business.supplierOrdersFailedPerHour; }],
    ] },
    { title: 'Process', lines: [
      ['CPU %', function (p) { return p.system.cpuPercent; }],
      ['event-loop lag (ms)', function (p) { return p.system.eventLoopLagMs; }],
    ] },
  ];

  function chartSpecs() {
    var specs = UPSTREAM_CHARTS.map(function (c) {
      return { title: c.title, lines: state.upstreamNames.map(function (name) {
        return [name, function (p) {
          for (var i = 0; i < p.upstreams.length; i++) if (p.upstreams[i].name === name) return c.value(p.upstreams[i]);
          return null;
        }];
      }) };
    });
    return specs.concat(OTHER_CHARTS);
  }

  function chartData(spec) {
    var xs = state.points.map(function (p) { return new Date(p.at).getTime() / 1000; });
    return [xs].concat(spec.lines.map(function (line) { return state.points.map(function (p) { var v = line[1](p); return v === null || v === undefined ? null : v; }); }));
  }

  function buildCharts() {
    var host = clear($('charts'));
    state.charts = chartSpecs().map(function (spec) {
      var box = el('div', { class: 'chart' });
      host.appendChild(box);
      var width = Math.max(300, box.clientWidth || 520);
      var plot = new uPlot({
        title: spec.title,
        width: width,
        height: 190,
        scales: { x: { time: true } },
        series: [{}].concat(spec.lines.map(function (line, i) { return { label: line[0], stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true, points: { show: false } }; })),
        axes: [{}, { size: 52, values: function (u, values) { return values.map(compact); } }],
      }, chartData(spec), box);
      return { spec: spec, plot: plot, box: box };
    });
  }

  function redrawCharts() {
    state.charts.forEach(function (c) { c.plot.setData(chartData(c.spec)); });
  }

  window.addEventListener('resize', function () {
    state.charts.forEach(function (c) { c.plot.setSize({ width: Math.max(300, c.box.clientWidth), height: 190 }); });
  });

  function addPoint(point) {
    state.points.push(point);
    var cutoff = Date.now() - HOUR_MS;
    while (state.points.length && new Date(state.points[0].at).getTime() < cutoff) state.points.shift();
    var names = point.upstreams.map(function (u) { return u.name; });
    // A connector added since the charts were built gets its own line.
    if (names.some(function (n) { return state.upstreamNames.indexOf(n) < 0; })) {
      state.upstreamNames = state.upstreamNames.concat(names.filter(function (n) { return state.upstreamNames.indexOf(n) < 0; }));
      buildCharts();
    } else {
      redrawCharts();
    }
  }


  function loadHistory() {
    return gql(DOCS.history).then(function (r) {
      var points = (r.body.data && r.body.data.dashboardHistory) || [];
      state.points = points;
      var names = [];
      points.forEach(function (p) { p.upstreams.forEach(function (u) { if (names.indexOf(u.name) < 0) names.push(u.name); }); });
      state.upstreamNames = names;
      buildCharts();
    });
  }

  // The live snapshot ---------------------------------------------------------------


  function setConnection(s, text) {
    var c = $('connection');
    c.setAttribute('data-state', s);
    c.textContent = text;
  }

  function subscribe() {
    if (state.unsubscribe) state.unsubscribe();
    if (state.sse) state.sse.dispose();
    setConnection('connecting', 'connecting…');
    state.sse = graphqlSse.createClient({
      url: config.streamEndpoint,
      headers: { 'x-api-key': state.key },
      singleConnection: false,
      retryAttempts: 100000,
      retryWait: function () { setConnection('reconnecting', 'reconnecting…'); return new Promise(function (resolve) { setTimeout(resolve, 2000); }); },
    });
    state.unsubscribe = state.sse.subscribe({ query: DOCS.snapshot, operationName: 'Dashboard' }, {
      next: function (result) {
        if (result.errors && result.errors.length) { setConnection('error', errorText(result)); return; }
        var s = result.data && result.data.dashboard;
        if (!s) return;
        setConnection('live', 'live');
        render(s);
      },
      error: function (err) { setConnection('error', 'stream failed: ' + (err && err.message ? err.message : String(err))); },
      complete: function () { setConnection('reconnecting', 'stream ended'); },
    });
  }

  var LEVEL_TEXT = { ok: 'OK', warning: 'WARNING', critical: 'CRITICAL' };
  var RULE_TITLES = { UpstreamErrorRate: 'Error rate', UpstreamLatency: 'Response time (p95)', UpstreamRateLimited: 'Rate-limit hits', SupplierOrdersFailed: 'Failed supplier orders' };
  var FIRING_TEXT = { UpstreamErrorRate: 'error rate high', UpstreamLatency: 'responses slow', UpstreamRateLimited: 'rate limit approaching', SupplierOrdersFailed: 'supplier orders failing' };

  function render(s) {
    $('updated').textContent = 'updated ' + clock(s.at);
    renderHealth(s.health);
    renderAlerts(s.alerts);
    renderUpstreams(s.upstreams);
    renderBusiness(s.business);
    renderSystem(s.system);
    renderJobs(s.jobs);
    addPoint({ at: s.at, upstreams: s.upstreams, business: s.business, system: s.system });
    // The work queues are re-read when what they list may have changed (the first snapshot reads both).
    var reviewSig = String(s.queues.manualReviewOrders);
    if (reviewSig !== state.sigs.review) { state.sigs.review = reviewSig; loadReview(); }
    var failuresSig = s.jobs.map(function (j) { return j.id + ':' + j.status; }).join(',');
    if (failuresSig !== state.sigs.failures) { state.sigs.failures = failuresSig; loadFailures(); }
  }

  function renderHealth(h) {
    var badge = $('health');
    var status = h.status.toLowerCase();
    badge.setAttribute('data-status', status);
    badge.textContent = status;
    var list = clear($('health-checks'));
    h.checks.forEach(function (c) {
      list.appendChild(el('li', { 'data-check': c.name }, [el('span', { class: 'badge', 'data-status': c.status.toLowerCase(), text: c.name + ': ' + c.status.toLowerCase(), title: c.reason || null })]));
    });
    badge.title = h.checks.filter(function (c) { return c.status !== 'HEALTHY'; }).map(function (c) { return c.name + ': ' + (c.reason || c.status.toLowerCase()); }).join('\n') || 'every check healthy';
  }

  function renderAlerts(alerts) {
    var rules = [];
    var byName = {};
    alerts.forEach(function (a) {
      if (!byName[a.name]) { byName[a.name] = { name: a.name, summary: a.summary, unit: a.unit }; rules.push(byName[a.name]); }
      byName[a.name][a.severity.toLowerCase()] = a;
    });
    var firing = [];
    var body = clear(document.querySelector('#alerts tbody'));
    rules.forEach(function (r) {
      var w = r.warning, c = r.critical;
      var level = c && c.state === 'FIRING' ? 'critical' : w && w.state === 'FIRING' ? 'warning' : 'ok';
      var current = level === 'critical' ? c : w;
      if (level !== 'ok') firing.push({ rule: r, level: level, alert: current });
      body.appendChild(el('tr', { 'data-alert': r.name, 'data-level': level }, [
        el('td', {}, [el('strong', { text: RULE_TITLES[r.name] || r.name }), el('div', { class: 'meta', text: r.summary })]),
        el('td', {}, [el('span', { class: 'badge', 'data-level': level, text: LEVEL_TEXT[level] })]),
        el('td', { class: 'num', text: byUnit(current ? current.value : null, r.unit) + (current && current.upstream ? ' (' + current.upstream + ')' : '') }),
        el('td', { class: 'num', text: w ? '> ' + byUnit(w.threshold, r.unit) : '—' }),
        el('td', { class: 'num', text: c ? '> ' + byUnit(c.threshold, r.unit) : '—' }),
        el('td', { title: current ? new Date(current.since).toISOString() : null, text: current ? 'since ' + clock(current.since) + ' (' + ago(current.since) + ')' : '—' }),
      ]));
    });
    var summary = $('alerts-summary');
    if (firing.length === 0) {
      summary.setAttribute('data-level', 'ok');
      summary.textContent = 'All systems operational';
    } else {
      var worst = firing.some(function (f) { return f.level === 'critical'; }) ? 'critical' : 'warning';
      summary.setAttribute('data-level', worst);
      summary.textContent = firing.map(function (f) {
        return LEVEL_TEXT[f.level] + ': ' + (FIRING_TEXT[f.rule.name] || f.rule.name) + (f.alert.upstream ? ' (' + f.alert.upstream + ')' : '') + ' — ' + byUnit(f.alert.value, f.rule.unit);
      }).join(' · ');
    }
  }

  function renderUpstreams(list) {
    var body = clear(document.querySelector('#upstreams tbody'));
    list.forEach(function (u) {
      body.appendChild(el('tr', { 'data-upstream': u.name, 'data-health': u.health.toLowerCase() }, [
        el('td', {}, [el('strong', { text: u.name }), el('div', { class: 'meta', text: u.title + (u.sandbox ? ' · sandbox' : '') })]),
        el('td', {}, [el('span', { class: 'badge', 'data-status': u.health.toLowerCase(), text: u.health.toLowerCase(), title: u.healthReason || null })]),
        el('td', { text: u.breaker.toLowerCase().replace('_', '-') }),
        el('td', { class: 'num', text: msText(u.latencyP50Ms) }),
        el('td', { class: 'num', text: msText(u.latencyP95Ms) }),
        el('td', { class: 'num', text: msText(u.latencyP99Ms) }),
        el('td', { class: 'num', text: pct(u.successRate) }),
        el('td', { class: 'num', text: num(u.requestsPerMinute, 1) }),
        el('td', { class: 'num', text: num(u.throttledPerMinute, 1) }),
        el('td', { class: 'num', text: u.quotaRemaining === null ? '—' : num(u.quotaRemaining, 0) + (u.quotaLimit !== null ? ' / ' + num(u.quotaLimit, 0) : '') }),
        el('td', { class: 'num', text: u.queue.interactive + ' / ' + u.queue.bulk }),
        el('td', { class: 'num', text: String(u.inFlight) }),
      ]));
    });
  }

  function card(label, value, key) {
    return el('div', { class: 'card', 'data-figure': key }, [el('div', { class: 'label', text: label }), el('div', { class: 'value', text: value })]);
  }

  function renderBusiness(b) {
    var host = clear($('business'));
    host.appendChild(card('parts synced / h', num(b.partsSyncedPerHour, 0), 'partsSyncedPerHour'));
    host.appendChild(card('products written / h', num(b.productsWrittenPerHour, 0), 'productsWrittenPerHour'));
    host.appendChild(card('sync failures / h', num(b.syncFailuresPerHour, 0), 'syncFailuresPerHour'));
    host.appendChild(card('supplier orders placed / h', num(b.supplierOrdersPlacedPerHour, 1), 'supplierOrdersPlacedPerHour'));
    host.appendChild(card('supplier orders failed / h', num(b.supplierOrdersFailedPerHour, 1), 'supplierOrdersFailedPerHour'));
    host.appendChild(card('upstream error rate', pct(b.errorRate), 'errorRate'));
  }

  function renderSystem(s) {
    var host = clear($('system'));
    host.appendChild(card('CPU (one core)', num(s.cpuPercent, 1) + ' %', 'cpuPercent'));
    host.appendChild(card('memory (RSS)', bytes(s.rssBytes), 'rssBytes'));
    host.appendChild(card('heap in use', bytes(s.heapUsedBytes), 'heapUsedBytes'));
    host.appendChild(card('event-loop lag (p99)', num(s.eventLoopLagMs, 1) + ' ms', 'eventLoopLagMs'));
    host.appendChild(card('open streams', String(s.openStreams), 'openStreams'));
    host.appendChild(card('uptime', duration(s.uptimeSeconds), 'uptimeSeconds'));
  }

  function renderJobs(jobs) {
    var host = clear($('jobs'));
    if (!jobs.length) { host.appendChild(el('p', { class: 'empty', text: 'No sync job is running.' })); return; }
    jobs.forEach(function (j) {
      var p = j.progress;
      var fill = el('div', { class: 'fill' });
      fill.style.width = Math.max(0, Math.min(100, p.percent)) + '%';
      var bar = el('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(p.percent), 'aria-label': j.kind + ' sync progress' }, [fill]);
      var eta = j.status === 'RUNNING' ? (p.etaSeconds === null ? 'ETA —' : 'ETA ' + duration(p.etaSeconds)) : j.finishedAt ? 'ended ' + ago(j.finishedAt) : '';
      host.appendChild(el('div', { class: 'job', 'data-job': j.id, 'data-status': j.status, 'data-percent': String(p.percent) }, [
        el('div', {}, [el('strong', { text: j.kind + (j.dryRun ? ' (dry run)' : '') }), el('div', { class: 'meta', text: short(j.id) + ' · ' + j.status.toLowerCase() + ' · ' + p.phase.toLowerCase().replace('_', ' ') + ' · by ' + j.startedBy })]),
        bar,
        el('div', { class: 'meta' }, [
          el('span', { class: 'percent', text: num(p.percent, 1) + ' %' }),
          ' · ' + num(p.processed, 0) + ' / ' + num(p.total, 0) + (p.failed ? ' · ' + p.failed + ' failed' : '') + ' · ' + num(p.ratePerSecond, 1) + '/s · ' + eta,
        ]),
      ]));
    });
  }

  function renderSyncActions() {
    var host = clear($('sync-actions'));
    if (!canAct()) return;
    var kind = el('select', { id: 'sync-kind', 'aria-label': 'sync kind' }, ['CATALOG', 'PRICE', 'INVENTORY', 'ORDER_ROUTING'].map(function (k) { return el('option', { value: k, text: k.toLowerCase().replace('_', ' ') }); }));
    var dry = el('input', { type: 'checkbox', id: 'sync-dry' });
    var button = el('button', { type: 'button', id: 'start-sync', class: 'primary', text: 'Start sync' });
    button.addEventListener('click', function () {
      act('start-sync', button, 'mutation DashboardStartSync($kind: SyncKind!, $dryRun: Boolean) { startSync(input: { kind: $kind, dryRun: $dryRun }) { alreadyRunning job { id status } } }', { kind: kind.value, dryRun: dry.checked }, function (data) {
        var r = data.startSync;
        return (r.alreadyRunning ? 'Already running: ' : 'Started ') + kind.value.toLowerCase() + ' sync ' + short(r.job.id);
      });
    });
    host.appendChild(kind);
    host.appendChild(el('label', {}, [dry, ' dry run']));
    host.appendChild(button);
  }

  // Work queues ----------------------------------------------------------------------


  /** One read of a queue at a time; a change seen meanwhile reads it again once that one is done. */
  function reader(name, document, render) {
    return function load() {
      if (!state.key) return Promise.resolve();
      if (state.loading[name]) { state.again[name] = true; return Promise.resolve(); }
      state.loading[name] = true;
      return gql(DOCS[document]).then(function (r) {
        if (!r.body.data) { notice('Could not read the work queues: ' + errorText(r.body), 'error'); return; }
        render(r.body.data);
      }).catch(function () { /* the next change reads again */ }).then(function () {
        state.loading[name] = false;
        if (state.again[name]) { state.again[name] = false; load(); }
      });
    };
  }
  var loadReview = reader('review', 'review', function (data) { renderReview(data.supplierOrders); });
  var loadFailures = reader('failures', 'failures', function (data) { renderFailures(data.syncJobs.edges.map(function (e) { return e.node; })); });

  /**
   * Runs an action once: its button (and any redrawn copy of it, by key) stays disabled until the
   * answer, then the queue it changed is read again.
   */
  function act(key, button, mutation, variables, describe, reload) {
    if (state.busy[key]) return Promise.resolve();
    state.busy[key] = true;
    button.disabled = true;
    return gql(mutation, variables).then(function (r) {
      if (r.body.errors && r.body.errors.length) notice('Refused: ' + errorText(r.body), 'error');
      else notice(describe(r.body.data), 'ok');
    }, function () { notice('The gateway could not be reached.', 'error'); }).then(function () {
      delete state.busy[key];
      button.disabled = false;
      return reload ? reload() : undefined;
    });
  }

  /** An action button whose in-flight state survives the queue being redrawn. */
  function actionButton(key, attrs) {
    var b = el('button', attrs);
    if (state.busy[key]) b.disabled = true;
    return b;
  }

  function renderReview(review) {
    var host = clear($('review'));
    var orders = review.edges.map(function (e) { return e.node; });
    if (!orders.length) { host.appendChild(el('p', { class: 'empty', text: 'No order waits for review.' })); return; }
    var rows = orders.map(function (o) {
      var actions = null;
      if (canAct()) {
        var retry = actionButton('retry:' + o.id, { type: 'button', class: 'retry primary', text: 'Retry' });
        retry.addEventListener('click', function () {
          act('retry:' + o.id, retry, 'mutation DashboardRetrySupplierOrder($id: ID!) { retrySupplierOrder(id: $id) { id status } }', { id: o.id }, function (d) { return 'Order ' + o.poNumber + ' is ' + d.retrySupplierOrder.status.toLowerCase().replace('_', ' ') + ': it is looked up by its PO number, then sent again'; }, loadReview);
        });
        // Two steps: a cancelled order stays cancelled. Armed is kept by order id, so a redraw of
        // the queue (a snapshot showed a change) does not disarm it.
        var cancel = actionButton('cancel:' + o.id, { type: 'button', class: 'cancel danger', text: state.armed[o.id] ? 'Confirm cancel' : 'Cancel…' });
        cancel.addEventListener('click', function () {
          if (!state.armed[o.id]) {
            cancel.textContent = 'Confirm cancel';
            state.armed[o.id] = setTimeout(function () {
              delete state.armed[o.id];
              var shown = document.querySelector('#review tr[data-order="' + o.id + '"] button.cancel');
              if (shown) shown.textContent = 'Cancel…';
            }, 8000);
            return;
          }
          clearTimeout(state.armed[o.id]);
          delete state.armed[o.id];
          act('cancel:' + o.id, cancel, 'mutation DashboardCancelSupplierOrder($id: ID!) { cancelSupplierOrder(id: $id) { id status } }', { id: o.id }, function (d) { return 'Order ' + o.poNumber + ' is ' + d.cancelSupplierOrder.status.toLowerCase(); }, loadReview);
        });
        actions = el('td', { class: 'actions' }, [retry, cancel]);
      }
      return el('tr', { 'data-order': o.id }, [
        el('td', {}, [el('strong', { text: o.poNumber }), el('div', { class: 'meta', text: short(o.id) + (o.storeOrderId ? ' · store order ' + o.storeOrderId : '') })]),
        el('td', { text: o.lines.map(function (l) { return l.sku + ' × ' + l.quantity; }).join(', ') }),
        el('td', { class: 'num', text: String(o.attempts) }),
        el('td', {}, [el('div', { class: 'error-text last-answer', text: o.lastError || '—' })]),
        el('td', { title: o.updatedAt, text: ago(o.updatedAt) }),
        actions,
      ]);
    });
    var head = ['order', 'lines', 'attempts', "supplier's last answer", 'since'].concat(canAct() ? ['actions'] : []);
    host.appendChild(el('table', { id: 'review-table' }, [el('thead', {}, [el('tr', {}, head.map(function (h) { return el('th', { text: h }); }))]), el('tbody', {}, rows)]));
    if (review.totalCount > orders.length) host.appendChild(el('p', { class: 'empty', text: 'and ' + (review.totalCount - orders.length) + ' more' }));
  }

  function renderFailures(jobs) {
    var host = clear($('failures'));
    // A job whose failures were retried by a later one is settled by that one.
    var retried = {};
    jobs.forEach(function (j) { if (j.retryOf) retried[j.retryOf] = true; });
    var open = jobs.filter(function (j) { return !j.dryRun && j.failures.totalCount > 0 && !retried[j.id]; });
    if (!open.length) { host.appendChild(el('p', { class: 'empty', text: 'No failed sync items.' })); return; }
    open.forEach(function (j) {
      var button = null;
      if (canAct()) {
        button = actionButton('retry-failures:' + j.id, { type: 'button', class: 'retry-failures primary', text: 'Retry ' + j.failures.totalCount + ' failed item' + (j.failures.totalCount === 1 ? '' : 's') });
        button.addEventListener('click', function () {
          act('retry-failures:' + j.id, button, 'mutation DashboardRetrySyncFailures($id: ID!) { retrySyncFailures(id: $id) { alreadyRunning job { id status } } }', { id: j.id }, function (d) { return (d.retrySyncFailures.alreadyRunning ? 'Already running: ' : 'Started ') + 'retry job ' + short(d.retrySyncFailures.job.id); }, loadFailures);
        });
      }
      host.appendChild(el('div', { class: 'failed-job', 'data-failed-job': j.id }, [
        el('div', { class: 'actions' }, [el('strong', { text: j.kind + ' ' + short(j.id) }), el('span', { class: 'meta', text: ' ' + j.status.toLowerCase() + ' ' + (j.finishedAt ? ago(j.finishedAt) : '') + ' · ' + j.failures.totalCount + ' of ' + j.progress.processed + ' failed' }), button]),
        el('table', {}, [el('tbody', {}, j.failures.nodes.map(function (f) {
          return el('tr', {}, [el('td', { text: f.sku }), el('td', { text: f.code }), el('td', {}, [el('span', { class: 'error-text', text: f.message })]), el('td', { class: 'num', text: f.attempts + ' attempt' + (f.attempts === 1 ? '' : 's') })]);
        }))]),
      ]));
    });
  }

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
