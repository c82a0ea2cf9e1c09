/**
 * The dashboard script's snapshot panels: `render` draws every panel from one
 * `dashboard` snapshot (health, alerts, upstreams table, business and system
 * cards, running jobs, the start-sync form) and tells the work queues to
 * re-read when what they list may have changed. Its own module because it is
 * what a snapshot turns into on the page, apart from how it arrives.
 *
 * A piece of the one function scope that src/server/dashboardScript.ts
 * assembles (see DASHBOARD_HELPERS_SCRIPT); it calls `addPoint` (charts),
 * `loadReview`, `loadFailures` and `act` (queues) from that scope.
 */
export const DASHBOARD_PANELS_SCRIPT = String.raw`
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
`;
