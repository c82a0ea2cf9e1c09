/**
 * The BigCommerce app callbacks (the core is install.ts), as the
 * framework-neutral routes of the connector contract. BigCommerce calls them from the merchant's
 * control panel, so they carry no API key: they are public routes (the server
 * adds no key check), and what authenticates them is the one-time `code` (which only the
 * login endpoint can redeem, with the client secret) or the
 * `signed_payload_jwt` (HMAC with the client secret).
 *
 *   GET /bigcommerce/auth?code&scope&context   install: exchange the code, seal the token
 *   GET /bigcommerce/load?signed_payload_jwt   the app's page in the control panel
 *   GET /bigcommerce/uninstall?signed_payload_jwt   delete the store's token
 *   GET /bigcommerce/remove_user?signed_payload_jwt acknowledge
 *
 * Pages are small, self-contained HTML (JSON when asked for with Accept),
 * never cached, never sending a Referer (the URL carries the code or JWT),
 * and frameable only by the BigCommerce control panel.
 *
 * The auth callback is public and each call costs an outbound POST carrying
 * the client secret, so it is counted per client address (`authLimiter`)
 * before anything else happens; over the budget it is 429 with Retry-After
 * (RFC 9110 §10.2.3). Its `redirect_uri` comes from configuration, never from
 * the request's Host header, which the caller chooses.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { ConnectorRoute, RouteRequest, RouteResponse } from '../connector.js';
import type { BigCommerceInstall } from './install.js';

export interface BigCommerceRoutesOptions {
  /** The install flow; undefined when the app is not configured (every callback answers 404). */
  install?: BigCommerceInstall;
  /** The store the connector talks to: its installed token replaces the static one. */
  storeHash?: string;
  /**
   * The exchange's `redirect_uri`: BIGCOMMERCE_APP_REDIRECT_URI, or (development) the gateway's own
   * listen URL. A function, as the listen URL is known only once the server listens.
   */
  redirectUri: () => string;
  /** Counts auth callbacks per client address (one point each). @default unlimited */
  authLimiter?: RateLimiterAbstract;
  /** @default '/bigcommerce' */
  prefix?: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#1d2733}h1{font-size:1.3rem}code{background:#f1f3f5;padding:0 .3em}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function send(request: RouteRequest, status: number, json: Record<string, unknown>, title: string, html: string, extra: Record<string, string> = {}): RouteResponse {
  const headers: Record<string, string | null> = {
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self' https://*.bigcommerce.com https://*.mybigcommerce.com",
    // The control panel frames these pages: frame-ancestors above says who may, so no blanket X-Frame-Options.
    'x-frame-options': null,
    ...extra,
  };
  const accept = request.headers.accept ?? '';
  if (accept.includes('application/json') && !accept.includes('text/html')) {
    return { status, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(json) };
  }
  return { status, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' }, body: page(title, html) };
}

const refused = (request: RouteRequest) =>
  send(
    request,
    401,
    { error: { code: 'UNAUTHENTICATED', message: 'signed_payload_jwt is missing or not valid' } },
    'Not authorised',
    '<p>This request did not come from BigCommerce (its signed payload is missing, expired or not valid).</p>',
  );

export function bigCommerceInstallRoutes(options: BigCommerceRoutesOptions): ConnectorRoute[] {
  const prefix = options.prefix ?? '/bigcommerce';
  const { install } = options;

  const notConfigured = (request: RouteRequest) =>
    send(
      request,
      404,
      { error: { code: 'NOT_FOUND', message: 'the BigCommerce app is not configured (BIGCOMMERCE_APP_CLIENT_ID)' } },
      'Not configured',
      '<p>The BigCommerce app is not configured on this gateway.</p>',
    );

  /** The seconds to wait when the address has spent its budget; undefined when admitted. */
  async function throttled(request: RouteRequest): Promise<number | undefined> {
    if (!options.authLimiter) return undefined;
    try {
      await options.authLimiter.consume(request.ip, 1);
      return undefined;
    } catch (err) {
      if (err instanceof RateLimiterRes) return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw err;
    }
  }

  const auth: ConnectorRoute = {
    method: 'GET',
    path: `${prefix}/auth`,
    async handle(request) {
      const wait = await throttled(request);
      if (wait !== undefined) {
        return send(
          request,
          429,
          { error: { code: 'RATE_LIMITED', message: `too many install callbacks from this address; retry in ${wait} s`, retryAfterSeconds: wait } },
          'Too many requests',
          `<p>Too many install attempts from this address. Try again in ${wait} seconds.</p>`,
          { 'retry-after': String(wait) },
        );
      }
      if (!install) return notConfigured(request);
      const q = request.query;
      const r = await install.install({ code: q.code, scope: q.scope, context: q.context, redirectUri: options.redirectUri() });
      switch (r.kind) {
        case 'installed': {
          const connected = r.storeHash === options.storeHash;
          return send(
            request,
            200,
            { installed: true, storeHash: r.storeHash, scope: r.scope, connected },
            'Crossdock is installed',
            `<p>Store <code>${escapeHtml(r.storeHash)}</code> is connected.</p>` +
              (connected ? '<p>The gateway now calls this store with the token from this install.</p>' : '<p>This gateway is configured for another store; the token is kept but not used.</p>'),
          );
        }
        case 'badRequest':
          return send(request, 400, { error: { code: 'BAD_REQUEST', message: r.message } }, 'Bad request', `<p>${escapeHtml(r.message)}</p>`);
        case 'exchangeFailed':
          return send(
            request,
            502,
            { error: { code: 'UPSTREAM_ERROR', message: `BigCommerce refused the code exchange (${r.error})` } },
            'Install failed',
            `<p>BigCommerce refused the code exchange (<code>${escapeHtml(r.error)}</code>). Try installing again.</p>`,
          );
        default: {
          const never: never = r;
          throw new Error(`unexpected install outcome ${String(never)}`);
        }
      }
    },
  };

  const load: ConnectorRoute = {
    method: 'GET',
    path: `${prefix}/load`,
    async handle(request) {
      if (!install) return notConfigured(request);
      const r = await install.load(request.query.signed_payload_jwt);
      if (r.kind === 'invalid') return refused(request);
      const { storeHash } = r.payload;
      const connected = storeHash === options.storeHash;
      return send(
        request,
        200,
        { storeHash, installed: r.installed, connected },
        'Crossdock',
        `<p>Store <code>${escapeHtml(storeHash)}</code>: ${r.installed ? 'installed' : 'not installed (install the app again)'}${
          r.installed && connected ? ', and the gateway calls the store with this install’s token.' : '.'
        }</p>`,
      );
    },
  };

  const uninstall: ConnectorRoute = {
    method: 'GET',
    path: `${prefix}/uninstall`,
    async handle(request) {
      if (!install) return notConfigured(request);
      const r = await install.uninstall(request.query.signed_payload_jwt);
      if (r.kind === 'invalid') return refused(request);
      return send(request, 200, { uninstalled: true, storeHash: r.storeHash, removed: r.removed }, 'Uninstalled', '<p>The store token is deleted.</p>');
    },
  };

  const removeUser: ConnectorRoute = {
    method: 'GET',
    path: `${prefix}/remove_user`,
    async handle(request) {
      if (!install) return notConfigured(request);
      const r = await install.removeUser(request.query.signed_payload_jwt);
      if (r.kind === 'invalid') return refused(request);
      return send(request, 200, { removed: true, storeHash: r.storeHash }, 'User removed', '<p>Acknowledged.</p>');
    },
  };

  return [auth, load, uninstall, removeUser];
}
