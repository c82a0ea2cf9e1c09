/**
 * The first piece of the composition: every connector of the list, built on
 * the shared HTTP machinery — against its configured upstream, or (in
 * development, when it is not configured) against its sandbox twin started in
 * one shared sandbox world. Returns what they provide to the domain, their
 * routes, their health, and registers how they stop.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Config, ConnectorSetting } from '../config.js';
import type { Connector, ConnectorKit, ConnectorRoute, Health, HealthStatus, RunningConnector, UpstreamHandle, UpstreamSpec } from '../connectors/connector.js';
import type { Capabilities, CapabilityName } from '../domain/ports.js';
import { createKeyedPacer } from '../limits/keyedPacer.js';
import { createPacer } from '../limits/pacer.js';
import type { LimiterFactory } from '../limits/redisLimiter.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { registerSecret } from '../observability/redact.js';
import type { SandboxOptionsInput } from '../sandbox/options.js';
import { createSandboxWorld, type SandboxWorld } from '../sandbox/world.js';
import type { TokenVault } from '../auth/tokenVault.js';
import type { Strategies } from '../strategies/index.js';
import { createBreaker } from '../upstreams/breaker.js';
import { createUpstreamClient } from '../upstreams/http.js';
import type { Lifecycle } from './lifecycle.js';

/** The capabilities the domain cannot run without (domain/ports.ts). */
const REQUIRED: readonly CapabilityName[] = ['supplier', 'store'];


export interface Upstreams {
  connectors: readonly RunningConnector[];
  capabilities: Capabilities;
  routes: readonly ConnectorRoute[];
  /** The embedded sandbox world, when any connector runs against its twin. */
  sandbox?: SandboxWorld;
  /** Runs each connector's start() (after everything is built, before the gateway serves). */
  start(): Promise<void>;
  /** Runs each connector's listening() once the gateway listens; a failure is logged, never thrown. */
  listening(): Promise<void>;
}

export interface UpstreamsOptions {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  strategies: Strategies;
  tokens: TokenVault;
  /** No TOKEN_ENCRYPTION_KEY: sealed tokens do not survive a restart. */
  ephemeralTokenKey: boolean;
  /** For the embedded sandbox world (ports, seed, catalog size). */
  sandbox?: SandboxOptionsInput;
  /** The gateway's public origin, known once it listens. */
  publicUrl(): string;
  lifecycle: Lifecycle;
}

const RANK: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };
const worst = (a: HealthStatus, b: HealthStatus): HealthStatus => (RANK[a] >= RANK[b] ? a : b);

export async function createUpstreams(options: UpstreamsOptions): Promise<Upstreams> {
  const { config, logger, metrics, strategies, lifecycle } = options;
  const createLimiter: LimiterFactory = strategies.createLimiter ?? ((o) => new RateLimiterMemory(o));
  let world: SandboxWorld | undefined;
  const sandboxWorld = (): SandboxWorld => {
    if (!world) {
      const input = options.sandbox ?? {};
      // Embedded: ephemeral ports unless a port was asked for.
      world = createSandboxWorld({
        ...input,
        finditparts: { ...input.finditparts, port: input.finditparts?.port ?? 0 },
        bigcommerce: { ...input.bigcommerce, port: input.bigcommerce?.port ?? 0 },
        ion: { ...input.ion, port: input.ion?.port ?? 0 },
        shopify: { ...input.shopify, port: input.shopify?.port ?? 0 },
        tiktok: { ...input.tiktok, port: input.tiktok?.port ?? 0 },
        whatsapp: { ...input.whatsapp, port: input.whatsapp?.port ?? 0 },
      });
      const w = world;
      lifecycle.defer(() => w.close());
    }
    return world;
  };

  function kitFor(setting: ConnectorSetting, sandbox: boolean): ConnectorKit {
    return {
      mode: config.mode,
      logger: logger.child({ connector: setting.name }),
      metrics,
      sandbox,
      createLimiter,
      tokens: options.tokens,
      ephemeralTokenKey: options.ephemeralTokenKey,
      leases: strategies.leases,
      shared: strategies.shared,
      registerSecret,
      publicUrl: options.publicUrl,
      upstream(spec: UpstreamSpec): UpstreamHandle {
        const name = spec.name ?? setting.name;
        const breaker = createBreaker({
          ...config.breaker,
          onChange: (s) => logger.warn({ upstream: name, breaker: s.kind }, 'circuit breaker changed state'),
        });
        const pacer = createPacer({ name, budgets: spec.budgets, costBucket: spec.costBucket, interactiveReserve: config.interactiveReserve, createLimiter: strategies.createLimiter, sharedGate: strategies.sharedGate?.(name) });
        const keyedPacer = spec.perKeyIntervalMs !== undefined ? createKeyedPacer({ name, intervalMs: spec.perKeyIntervalMs, createLimiter: strategies.createLimiter }) : undefined;
        const http = createUpstreamClient({
          name,
          baseUrl: spec.baseUrl,
          vendor: spec.vendor,
          pacer,
          breaker,
          metrics,
          connections: spec.connections,
          keyedPacer,
          timeouts: config.upstreamTimeouts,
          maxBodyBytes: Math.min(config.upstreamMaxBodyBytes, spec.maxBodyBytes ?? Number.POSITIVE_INFINITY),
          anyOrigin: spec.anyOrigin,
          lookup: spec.lookup,
          deadlines: { interactive: config.interactiveDeadlineMs, bulk: 300_000 },
          retryDelayScale: config.retryDelayScale,
          onAlert: (message) => logger.error({ upstream: name }, message),
        });
        lifecycle.defer(() => http.close());
        return { http, breaker, pacer, budgets: spec.budgets, auxiliary: spec.auxiliary ?? false, ...(keyedPacer ? { keyedPacer } : {}) };
      },
    };
  }

  const built: Array<{ setting: ConnectorSetting; connector: Connector; sandbox: boolean }> = [];
  for (const setting of config.connectors) {
    const plan = setting.plan;
    if (plan.kind === 'off') {
      logger.info({ connector: setting.name, reason: plan.reason }, 'connector not configured');
      continue;
    }
    const sandbox = plan.kind === 'sandbox';
    const build = sandbox ? (await plan.start(sandboxWorld())).build : plan.build;
    const connector = await build(kitFor(setting, sandbox));
    if (connector.close) lifecycle.defer(() => connector.close!());
    built.push({ setting, connector, sandbox });
  }

  const capabilities: Partial<Capabilities> = {};
  const providedBy = new Map<CapabilityName, string>();
  for (const { setting, connector } of built) {
    for (const [name, value] of Object.entries(connector.provides) as Array<[CapabilityName, Capabilities[CapabilityName]]>) {
      const other = providedBy.get(name);
      if (other) throw new Error(`both ${other} and ${setting.name} provide the ${name} capability; configure one of them`);
      providedBy.set(name, setting.name);
      (capabilities as Record<string, unknown>)[name] = value;
    }
  }
  const missing = REQUIRED.filter((c) => !capabilities[c]);
  if (missing.length) throw new Error(`no configured connector provides ${missing.join(', ')}`);

  const connectors: RunningConnector[] = built.map(({ setting, connector, sandbox }) => ({
    name: setting.name,
    title: setting.title,
    sandbox,
    upstreams: connector.upstreams,
    async health() {
      const own: Health = (await connector.health?.()) ?? { status: 'healthy' };
      let status = own.status;
      const reasons = own.status === 'healthy' ? [] : [own.reason ?? own.status];
      for (const u of connector.upstreams) {
        const kind = u.breaker.kind();
        if (kind === 'closed') continue;
        status = worst(status, kind === 'open' && !u.auxiliary ? 'unhealthy' : 'degraded');
        reasons.push(`${u.http.name} breaker ${kind === 'open' ? 'open: the upstream is failing' : 'half-open: probing'}`);
      }
      return { status, ...(reasons.length ? { reason: reasons.join('; ') } : own.reason ? { reason: own.reason } : {}), ...(own.detail ? { detail: own.detail } : {}) };
    },
  }));

  return {
    connectors,
    capabilities: capabilities as Capabilities,
    routes: built.flatMap(({ connector }) => connector.routes ?? []),
    sandbox: world,
    async start() {
      await Promise.all(built.map(({ connector }) => connector.start?.()));
    },
    async listening() {
      await Promise.all(
        built.map(({ setting, connector }) =>
          connector.listening?.().catch((err: unknown) => logger.warn({ connector: setting.name, err: err instanceof Error ? err.message : String(err) }, 'connector listening hook failed')),
        ),
      );
    },
  };
}
