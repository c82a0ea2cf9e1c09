/**
 * Web hardening for every HTTP answer, registered before the app's own hooks
 * so that it also covers answers those hooks give early (a 401, a CORS
 * preflight):
 *
 * - Security headers (@fastify/helmet): `X-Content-Type-Options: nosniff`,
 *   `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`, and a
 *   Content-Security-Policy that lets a page load only this origin's own
 *   scripts, styles, images, fonts and connections: the playground is built
 *   that way (its assets are files under /playground, its config a JSON data
 *   block, no inline script or style), and no other route serves a page.
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
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { answerCompressors } from './compression.js';

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
  await app.register(helmet, {
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
    await app.register(compress, { global: true, threshold: options.compressThresholdBytes ?? 1024, encodings: ['br', 'gzip', 'deflate'], zlib: answerCompressors });
  }
}
