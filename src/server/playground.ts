/**
 * The playground: GraphiQL served entirely from installed packages (no CDN),
 * so it works with no internet. Queries and mutations go over
 * GraphQL-over-HTTP; subscriptions over graphql-sse at /graphql/stream.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIPv4 } from 'node:net';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Asset name → [package file, content type]. */
const ASSETS: Record<string, [string, string]> = {
  'react.js': ['react/umd/react.production.min.js', 'text/javascript; charset=utf-8'],
  'react-dom.js': ['react-dom/umd/react-dom.production.min.js', 'text/javascript; charset=utf-8'],
  'graphiql.js': ['graphiql/graphiql.min.js', 'text/javascript; charset=utf-8'],
  'graphiql.css': ['graphiql/graphiql.min.css', 'text/css; charset=utf-8'],
  'graphql-sse.js': ['graphql-sse/umd/graphql-sse.min.js', 'text/javascript; charset=utf-8'],
};

export interface PlaygroundAsset {
  body: Buffer;
  contentType: string;
}

export function loadPlaygroundAssets(): Map<string, PlaygroundAsset> {
  return loadPackageAssets(ASSETS);
}

/** Reads files of installed packages (asset name → [package path, content type]) once, for serving with no CDN. */
export function loadPackageAssets(assets: Readonly<Record<string, readonly [string, string]>>): Map<string, PlaygroundAsset> {
  const out = new Map<string, PlaygroundAsset>();
  for (const [name, [file, contentType]] of Object.entries(assets)) {
    // Resolve each package's root through its package.json: some packages'
    // `exports` hide their UMD builds from require.resolve.
    const [scopeOrName = '', maybeName = ''] = file.split('/');
    const pkg = scopeOrName.startsWith('@') ? `${scopeOrName}/${maybeName}` : scopeOrName;
    const root = dirname(require.resolve(`${pkg}/package.json`));
    out.set(name, { body: readFileSync(join(root, file.slice(pkg.length + 1))), contentType });
  }
  return out;
}

/** A loopback address as a socket reports it: 127.0.0.0/8, ::1, or IPv4-mapped 127.x. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || (isIPv4(v4) && v4.startsWith('127.'));
}

/**
 * Whether a Host header names this machine's loopback: `localhost`, a
 * 127.0.0.0/8 literal or `[::1]`, with or without a port. A page that
 * rebinds its own DNS name to 127.0.0.1 still sends its own name as the Host
 * (the browser does not know it was rebound), so this is what keeps it out.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const h = host.trim().toLowerCase();
  const name = h.startsWith('[') ? h.slice(1, h.indexOf(']')) : h.replace(/:\d*$/, '');
  if (name === 'localhost' || name === '::1') return true;
  return isIPv4(name) && name.startsWith('127.');
}

/**
 * Whether the playground may be served with the generated development key
 * filled in: only to a loopback Host on a loopback connection. With
 * HOST=0.0.0.0, or a DNS-rebinding page, anyone else gets the page without it.
 */
export function mayShowDevKey(request: { headers: { host?: string }; socket: { remoteAddress?: string } }): boolean {
  return isLoopbackHost(request.headers.host) && isLoopbackAddress(request.socket.remoteAddress);
}

const DEFAULT_QUERY = `# Crossdock: one graph over the supplier and the store.
# Run with the ▶ button. Your API key goes in the Headers tab.
query PartsWithStoreAndStock {
  searchParts(first: 5) {
    totalCount
    edges {
      node {
        id
        partNumber
        manufacturer
        description
        price { amount currency }
        storeProduct { sku name price { amount } inventoryLevel }
        inventory { supplierQuantity storeQuantity available }
        drift { inSync fields { field expected actual } }
      }
    }
  }
}
`;

/** The page. `defaultHeaders` is pre-filled in the Headers tab (the embedded default's dev key). */
export function playgroundHtml(options: { endpoint: string; streamEndpoint: string; defaultHeaders?: Record<string, string> }): string {
  const config = JSON.stringify({
    endpoint: options.endpoint,
    streamEndpoint: options.streamEndpoint,
    headers: options.defaultHeaders ? JSON.stringify(options.defaultHeaders, null, 2) : '{\n  "X-API-Key": ""\n}',
    query: DEFAULT_QUERY,
  }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Crossdock playground</title>
<link rel="stylesheet" href="/playground/assets/graphiql.css">
<link rel="stylesheet" href="/playground/playground.css">
</head>
<body>
<div id="playground">Loading the playground…</div>
<!-- The config comes before playground.js, which reads it as soon as it runs. -->
<script type="application/json" id="crossdock-config">${config}</script>
<script src="/playground/assets/react.js"></script>
<script src="/playground/assets/react-dom.js"></script>
<script src="/playground/assets/graphiql.js"></script>
<script src="/playground/assets/graphql-sse.js"></script>
<script src="/playground/playground.js"></script>
</body>
</html>`;
}

/** The page's own style, served as a file so the CSP allows only 'self' styles. */
export const PLAYGROUND_STYLE = 'html,body,#playground{height:100%;margin:0}\n';

/** The page's script, served as a file so a strict CSP needs no inline script. */
export const PLAYGROUND_SCRIPT = `(function () {
  var config = JSON.parse(document.getElementById('crossdock-config').textContent);
  var sse = null;
  function sseClient(headers) {
    if (sse) sse.dispose();
    // No retries: a refused key or a bad document shows at once instead of after backoff.
    sse = graphqlSse.createClient({ url: config.streamEndpoint, headers: headers, singleConnection: false, retryAttempts: 0 });
    return sse;
  }
  function isSubscription(params) {
    return /^\\s*subscription\\b/m.test(params.query || '') && !/^\\s*(query|mutation)\\b/m.test(params.query || '');
  }
  function fetcher(params, opts) {
    var headers = Object.assign({ 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' }, (opts && opts.headers) || {});
    if (isSubscription(params)) {
      var client = sseClient(headers);
      return {
        [Symbol.asyncIterator]: function () {
          var queue = [], waiting = null, done = false, failure = null;
          var dispose = client.subscribe(params, {
            next: function (v) { if (waiting) { var w = waiting; waiting = null; w.resolve({ value: v, done: false }); } else queue.push(v); },
            error: function (e) { failure = e; done = true; if (waiting) { var w = waiting; waiting = null; w.reject(e); } },
            complete: function () { done = true; if (waiting) { var w = waiting; waiting = null; w.resolve({ value: undefined, done: true }); } },
          });
          return {
            next: function () {
              if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
              if (failure) return Promise.reject(failure);
              if (done) return Promise.resolve({ value: undefined, done: true });
              return new Promise(function (resolve, reject) { waiting = { resolve: resolve, reject: reject }; });
            },
            return: function () { dispose(); return Promise.resolve({ value: undefined, done: true }); },
          };
        },
      };
    }
    return fetch(config.endpoint, { method: 'POST', headers: headers, body: JSON.stringify(params) }).then(function (r) { return r.json(); });
  }
  // A link's document (/playground?query=…&variables=…, GraphiQL's parameters; a browser opening
  // /graphql?query=… is sent here) opens in the editor. It is shown, not run.
  var linked = new URLSearchParams(window.location.search);
  var root = ReactDOM.createRoot(document.getElementById('playground'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    query: linked.get('query') || undefined,
    variables: linked.get('variables') || undefined,
    defaultQuery: config.query,
    defaultHeaders: config.headers,
    headerEditorEnabled: true,
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: 'headers',
  }));
})();
`;
