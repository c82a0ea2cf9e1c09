/**
 * The dashboard script's work queues: orders in manual review and sync jobs
 * with failed items, read with the existing queries (one read at a time, only
 * on a change a snapshot shows) and acted on with the existing mutations
 * (retry, two-step cancel, retry failures) through `act`. Its own module
 * because it is where the page acts: `act` and `actionButton` live here, and
 * the start-sync form (panels) uses `act` too.
 *
 * A piece of the one function scope that src/server/dashboardScript.ts
 * assembles (see DASHBOARD_HELPERS_SCRIPT).
 */
export const DASHBOARD_QUEUES_SCRIPT = String.raw`
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
`;
