/**
 * The connector contract: what an upstream brings to the gateway, declared in
 * one place (DESIGN.md, "Connectors: one folder per upstream"; the shape of
 * Vendure's plugins and Mesh's source handlers). A connector is
 *
 *   - a config slice: its environment variables (zod), resolved to
 *     "configured" or "not configured" — never a crash;
 *   - an optional sandbox twin: the simulator started in its place when it is
 *     not configured and the mode allows it (development);
 *   - `create`: its clients on the shared HTTP machinery (the kit's
 *     `upstream()`: undici pool, auth, pacing from its quota model, retry
 *     table, breaker, metrics labels), what it provides to the domain
 *     (domain/ports.ts capabilities), its health, any public routes the vendor
 *     calls (callbacks, webhooks), and how it stops.
 *
 * The composition root (src/connectors.ts lists them; src/composition/ wires
 * them) is the only place that knows which connectors exist.
 */
import type { z } from 'zod';
import type { Capabilities } from '../domain/ports.js';
import type { KeyedPacer } from '../limits/keyedPacer.js';
import type { Budget, Pacer } from '../limits/pacer.js';
import type { LimiterFactory } from '../limits/redisLimiter.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { SandboxWorld } from '../sandbox/world.js';
import type { TokenVault } from '../auth/tokenVault.js';
import type { Leases } from '../storage/leases.js';
import type { Breaker } from '../upstreams/breaker.js';
import type { UpstreamClient, UpstreamVendor } from '../upstreams/http.js';

export type Mode = 'development' | 'production';

/** The result of reading a connector's slice of the environment. */
export type ConfigState<C> =
  | { configured: true; config: C }
  /**
   * `fallback`: what to run when the twin does not (an optional connector beside real upstreams in
   * development), e.g. a public vendor endpoint that needs no credentials. @default off
   */
  | { configured: false; reason: string; fallback?: C };

export interface ConfigContext {
  mode: Mode;
  /** Say what is wrong here (naming the variable, never its value); start-up stops with all of them. */
  problems: string[];
  /** Every parsed variable, for rules that span slices (e.g. TOKEN_ENCRYPTION_KEY with the app install). */
  all: Readonly<Record<string, unknown>>;
}

export interface ConnectorConfigSlice<C> {
  /** One zod schema per variable; merged into the one environment schema, so messages name the variable. */
  env: Record<string, z.ZodType>;
  /** From the parsed values of `env`: configured, or not configured and why. */
  resolve(values: Readonly<Record<string, unknown>>, ctx: ConfigContext): ConfigState<C>;
}

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface Health {
  status: HealthStatus;
  /** Why it is not healthy (or, when healthy, what it runs against). */
  reason?: string;
  /** Extra facts for /ready (e.g. where the store token comes from). */
  detail?: Record<string, unknown>;
}

/** One upstream API on the shared machinery (a connector may have several: a REST and a GraphQL API). */
export interface UpstreamHandle {
  http: UpstreamClient;
  breaker: Breaker;
  pacer: Pacer;
  /** The pacing budget it was built with (its quota model), for `upstreams` and /ready. */
  budgets: readonly Budget[];
  /** See UpstreamSpec.auxiliary. */
  auxiliary: boolean;
  /** The pacing by key, when the spec asked for it (UpstreamSpec.perKeyIntervalMs). */
  keyedPacer?: KeyedPacer;
}

export interface UpstreamSpec {
  /** Metrics label and /ready row; defaults to the connector's name. */
  name?: string;
  baseUrl: string;
  vendor: UpstreamVendor;
  /** The vendor's quota as pacing budgets (requests per window); bulk and interactive lanes share them. */
  budgets: Budget[];
  /**
   * A vendor that charges by query cost (a GraphQL API such as Shopify's Admin API): its points
   * bucket, as the vendor documents it until an answer reports its own figures. Each request then
   * waits until the bucket affords its `cost` (src/limits/costBucket.ts). @default none
   */
  costBucket?: { maximum: number; restoreRate: number };
  /** Concurrent connections. @default 16 */
  connections?: number;
  /**
   * Its open breaker degrades the connector instead of making it unhealthy:
   * the connector's own health says what its failure means (an authorization
   * server is down, but the token it gave still lives). @default false
   */
  auxiliary?: boolean;
  /** Requests name their own origin (a CDN's many hosts); see UpstreamClientOptions.anyOrigin. @default false */
  anyOrigin?: boolean;
  /** DNS lookup for its connections (e.g. refusing private addresses). @default the system's */
  lookup?: import('node:net').LookupFunction;
  /** Largest answer body, at most UPSTREAM_MAX_BODY_BYTES (e.g. an image's size limit). @default UPSTREAM_MAX_BODY_BYTES */
  maxBodyBytes?: number;
  /**
   * Also pace by key: requests naming a `pacingKey` wait until that key's
   * previous answer is this long ago (limits/keyedPacer.ts; e.g. WhatsApp's
   * pair rate, one message per recipient every 6 s). @default none
   */
  perKeyIntervalMs?: number;
}

/** A route the vendor calls (OAuth callbacks, webhooks): public, authenticated by the route itself. */
export interface ConnectorRoute {
  method: 'GET' | 'POST';
  /** Absolute path, e.g. `/bigcommerce/auth`. */
  path: string;
  handle(request: RouteRequest): Promise<RouteResponse>;
}

export interface RouteRequest {
  /** Single values only; a repeated parameter arrives as undefined (never trust `a=1&a=2`). */
  query: Readonly<Record<string, string | undefined>>;
  headers: Readonly<Record<string, string | undefined>>;
  /** The client address (the socket's, or the proxy's forwarded one when trusted). */
  ip: string;
  /** The body exactly as sent (signatures are computed over it), for POST routes. */
  rawBody?: Buffer;
}

export interface RouteResponse {
  status: number;
  /** A null value removes a header the server would set (e.g. X-Frame-Options on a page meant to be framed). */
  headers?: Record<string, string | null>;
  body: string;
}

/** What the gateway gives a connector to build itself with. */
export interface ConnectorKit {
  mode: Mode;
  logger: Logger;
  metrics: Metrics;
  /** True when it runs against its sandbox twin. */
  sandbox: boolean;
  /** An upstream on the shared HTTP machinery; closed by the gateway. */
  upstream(spec: UpstreamSpec): UpstreamHandle;
  /** Rate limiters (shared across instances with REDIS_URL), e.g. to throttle a public callback per address. */
  createLimiter: LimiterFactory;
  /** Sealed (encrypted at rest) tokens, shared by every instance. */
  tokens: TokenVault;
  /** No TOKEN_ENCRYPTION_KEY (development): tokens are sealed with a key made at start, unreadable after a restart. */
  ephemeralTokenKey: boolean;
  /**
   * Locks with a deadline (leases), shared by every instance with REDIS_URL
   * and in-process otherwise: e.g. one token refresh for the fleet.
   */
  leases: Leases;
  /** Several instances share the records, the vault and the leases (REDIS_URL). */
  shared: boolean;
  /** Values to keep out of logs and error messages. */
  registerSecret(value: string | undefined): void;
  /** The gateway's own public origin (e.g. for an OAuth redirect_uri default); known once it listens. */
  publicUrl(): string;
}

export interface Connector {
  /** What it gives the domain; the composition root requires each capability exactly once. */
  provides: Partial<Capabilities>;
  upstreams: readonly UpstreamHandle[];
  /** Beyond its breakers (the gateway adds those): token state, configuration facts. @default healthy */
  health?(): Health | Promise<Health>;
  routes?: readonly ConnectorRoute[];
  /** Work once the gateway is built, before it serves (bounded: a slow upstream must not hold the start). */
  start?(): Promise<void>;
  /**
   * Work once the gateway listens, when `kit.publicUrl()` is known (bounded, and never failing the
   * start): e.g. registering the gateway's webhook route with a sandbox twin.
   */
  listening?(): Promise<void>;
  /** Stops what it started (its upstream pools are closed by the gateway). */
  close?(): Promise<void>;
}

/** A connector the gateway built, as /ready, the `upstreams` query and the dashboard see it. */
export interface RunningConnector {
  name: string;
  title: string;
  /** Runs against its sandbox twin. */
  sandbox: boolean;
  upstreams: readonly UpstreamHandle[];
  /** Its own health and its breakers': an open breaker is unhealthy, a half-open one degraded. */
  health(): Promise<Health>;
}

export interface SandboxTwin<C> {
  /** The configuration that points the connector at its running twin. */
  config: C;
  /** The twin's origin, e.g. `http://127.0.0.1:41001` (admin routes under `/__sandbox`). */
  url: string;
}

export interface ConnectorDefinition<C> {
  /** Lower-case id: metrics label, /ready row, log field. */
  name: string;
  /** How people call it. */
  title: string;
  /** The gateway cannot run without it: production refuses to start unless it is configured. */
  required: boolean;
  config: ConnectorConfigSlice<C>;
  /**
   * Starts its simulator in the shared sandbox world and returns the config that points at it
   * (`values`: its parsed variables, for the settings that are not about the upstream's address).
   */
  sandbox?(world: SandboxWorld, values: Readonly<Record<string, unknown>>): Promise<SandboxTwin<C>>;
  create(config: C, kit: ConnectorKit): Connector | Promise<Connector>;
}

/** How a connector will run, decided once at start from its config state and the mode. */
export type ConnectorPlan =
  | { kind: 'configured'; build(kit: ConnectorKit): Promise<Connector> }
  | { kind: 'sandbox'; start(world: SandboxWorld): Promise<{ url: string; build(kit: ConnectorKit): Promise<Connector> }>; fallback?: ConnectorPlan }
  | { kind: 'off'; reason: string };

/** A definition with its config type erased, so connectors of any config can share one list. */
export interface AnyConnector {
  name: string;
  title: string;
  required: boolean;
  env: Record<string, z.ZodType>;
  plan(values: Readonly<Record<string, unknown>>, ctx: ConfigContext): ConnectorPlan;
}

/** Declares a connector; the list in src/connectors.ts holds what this returns. */
export function defineConnector<C>(def: ConnectorDefinition<C>): AnyConnector {
  return {
    name: def.name,
    title: def.title,
    required: def.required,
    env: def.config.env,
    plan(values, ctx) {
      const state = def.config.resolve(values, ctx);
      if (state.configured) return { kind: 'configured', build: async (kit) => def.create(state.config, kit) };
      const twin = def.sandbox;
      const fallback = state.fallback;
      const fallbackPlan: ConnectorPlan | undefined = fallback === undefined ? undefined : { kind: 'configured', build: async (kit) => def.create(fallback, kit) };
      if (twin && ctx.mode === 'development') {
        return {
          kind: 'sandbox',
          ...(fallbackPlan ? { fallback: fallbackPlan } : {}),
          async start(world) {
            const running = await twin(world, values);
            return { url: running.url, build: async (kit) => def.create(running.config, kit) };
          },
        };
      }
      if (fallbackPlan) return fallbackPlan;
      if (def.required && ctx.mode === 'production') ctx.problems.push(`production mode requires ${def.title} (${state.reason}); the sandbox twin runs only in development`);
      return { kind: 'off', reason: state.reason };
    },
  };
}
