/**
 * The dashboard script's charts: the last hour of `dashboardHistory` points
 * drawn with uPlot (one line per upstream, plus business and process charts),
 * a point added per snapshot and the charts rebuilt when a new upstream
 * appears. Its own module because it alone holds the chart specs and talks
 * to uPlot.
 *
 * A piece of the one function scope that src/server/dashboardScript.ts
 * assembles (see DASHBOARD_HELPERS_SCRIPT).
 */
export const DASHBOARD_CHARTS_SCRIPT = String.raw`
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
`;
