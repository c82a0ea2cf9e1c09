/**
 * Web hardening for every HTTP answer, registered before the app's own hooks
 * so that it also covers answers those hooks give early (a 401, a CORS
 * preflight):
 *
 * - Security headers (helmet's, with its maintained defaults): `X-Content-Type-Options: nosniff`,
 *   `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`, and a
 *   Content-Security-Policy that lets a page load only this origin's own
 *   scripts, styles, images, fonts and connections: the playground is built
 *   that way (its assets are files under /playground, its config a JSON data
 *   block, no inline script or style), and no other route serves a page.
 *   None of them depends on the request (no nonces, no directive functions),
 *   so helmet's middleware runs once, at start, on a response that records
 *   them, and each request gets the recorded headers set on its raw response
 *   as helmet sets them (@fastify/helmet rebuilt helmet's whole middleware
 *   chain, CSP parsing included, for every request).
 * - CORS (@fastify/cors) only for the origins in CORS_ORIGINS; with none, no
 *   CORS header is ever sent and browsers keep other origins out. No
 *   credentials (keys travel in headers a page must set itself).
 * - Compression (@fastify/compress): br, gzip or deflate for answers of 1 KiB
 *   or more, as the client's Accept-Encoding allows. Event streams are written
 *   to the socket directly and are never buffered by it.
 *
 * CSRF is Apollo Server's csrfPrevention (on): a GraphQL request must have a
 * non-simple content type or a preflight header, so neither a form post nor
 * a bare GET from another site can run an operation; mutations never run
 * over GET (405).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { answerCompressors, COMPRESSIBLE_TYPES } from './compression.js';

export interface HardeningOptions {
  /** Origins allowed to call cross-origin, e.g. `https://shop.example.com`. @default [] (no CORS headers) */
  corsOrigins?: readonly string[];
  /** Compress answers of `compressThresholdBytes` or more. @default true */
  compression?: boolean;
  /** @default 1024 */
  compressThresholdBytes?: number;
}

/** Request headers a cross-origin client may send (the key, JSON, Apollo's CSRF preflight headers, a request id). */
const ALLOWED_HEADERS = ['content-type', 'accept', 'authorization', 'x-api-key', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id'];
/** Response headers a cross-origin client may read (its budget above all). */
const EXPOSED_HEADERS = ['ratelimit', 'ratelimit-policy', 'retry-after', 'x-request-id', 'www-authenticate'];

/** Registers the hardening plugins on `app`; await it before the app adds its own hooks and routes. */
export async function registerHardening(app: FastifyInstance, options: HardeningOptions = {}): Promise<void> {
  const security = securityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // GraphiQL's stylesheet embeds its icons and fonts as data: URLs.
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Cross-origin API calls are governed by CORS below; CORP would block them in no-cors contexts only.
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  // On the raw response, as helmet writes them: an SSE stream written past Fastify's reply keeps them too.
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of security) reply.raw.setHeader(name, value);
    done();
  });

  const origins = [...(options.corsOrigins ?? [])];
  if (origins.length > 0) {
    await app.register(cors, {
      origin: origins,
      methods: ['GET', 'POST'],
      allowedHeaders: ALLOWED_HEADERS,
      exposedHeaders: EXPOSED_HEADERS,
      credentials: false,
      maxAge: 600,
      strictPreflight: true,
    });
  }

  if (options.compression ?? true) {
    // The plugin negotiates and labels; compression.ts compresses (settings for small answers, cached answers once).
    await app.register(compress, { global: true, threshold: options.compressThresholdBytes ?? 1024, encodings: ['br', 'gzip', 'deflate'], zlib: answerCompressors, customTypes: COMPRESSIBLE_TYPES });
  }
}

/**
 * The headers helmet's middleware sets for `options`, recorded once from a
 * stand-in response. Refuses options that would make them depend on the
 * request (a directive given as a function), which this could not record.
 */
export function securityHeaders(options: HelmetOptions): ReadonlyArray<readonly [string, string]> {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name, Array.isArray(value) ? value.join(', ') : String(value));
    },
    removeHeader(name: string) {
      headers.delete(name);
    },
  };
  const directives = typeof options.contentSecurityPolicy === 'object' ? Object.values(options.contentSecurityPolicy.directives ?? {}) : [];
  if (directives.some((d) => typeof d === 'function' || (Array.isArray(d) && d.some((v) => typeof v === 'function')))) {
    throw new Error('securityHeaders: a CSP directive given as a function depends on the request and cannot be computed once');
  }
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
  });
  return [...headers];
}
