/**
 * The dashboard script's live stream: the `dashboard` subscription over
 * graphql-sse (a fresh client per sign-in, retried every 2 s) and the
 * connection indicator. Its own module because it is the page's one
 * transport concern; each snapshot it receives goes to `render` (panels).
 *
 * A piece of the one function scope that src/server/dashboardScript.ts
 * assembles (see DASHBOARD_HELPERS_SCRIPT).
 */
export const DASHBOARD_STREAM_SCRIPT = String.raw`
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
`;
