/**
 * The dashboard script's toolkit: DOM helpers (`$`, `el`, `clear`, `canAct`),
 * the number/time formatting every panel uses, `gql` (one POST with the
 * signed-in key) and the `notice` banner. Its own module because every other
 * part of the script builds on these and none of them knows a panel.
 *
 * Like every DASHBOARD_*_SCRIPT, this is a piece of plain browser JavaScript
 * (no build step) that src/server/dashboardScript.ts splices, in order, into
 * the one function scope of DASHBOARD_SCRIPT: the names it uses and defines
 * (`state`, `config`, `DOCS`, …) are that scope's, not module imports.
 */
export const DASHBOARD_HELPERS_SCRIPT = String.raw`
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
`;
