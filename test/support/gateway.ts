/**
 * Starts a real gateway with its embedded sandbox on ephemeral loopback
 * ports (the createTestEnvironment pattern): tests speak HTTP to both.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import type { SandboxOptionsInput } from '../../src/sandbox/options.js';
import { runningTwin } from '../../src/sandbox/twins.js';

export interface TestGateway extends Gateway {
  key: string;
  /** POST a GraphQL operation with the test key; returns status, headers and parsed body. */
  gql<T = GqlBody>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: T }>;
  fipUrl: string;
  bcUrl: string;
  /** The ION twin's origin (admin routes under /__sandbox), when the ERP runs on it. */
  ionUrl: string;
  /** The Shopify twin's origin (the shop; admin routes under /__sandbox), when the connector runs on it. */
  shopifyUrl: string;
}

export interface GqlBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

/** The per-client budget startGateway gives unless a test sets CLIENT_BUDGET_POINTS (processes.ts does the same). */
export const TEST_BUDGET_POINTS = '100000000';

/** `options`: what createGateway takes besides the sandbox (e.g. an injected clock, a logger to read). */
export async function startGateway(env: Record<string, string> = {}, sandbox: SandboxOptionsInput = { parts: 500 }, options: Omit<GatewayOptions, 'sandbox'> = {}): Promise<TestGateway> {
  const dataDir = env.CROSSDOCK_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'crossdock-test-'));
  // Suites make many requests with configured keys: a generous budget unless the test sets one.
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CROSSDOCK_DATA_DIR: dataDir, CLIENT_BUDGET_POINTS: TEST_BUDGET_POINTS, ...env });
  const gateway = await createGateway(config, { ...options, sandbox, logger: options.logger ?? createLogger({ level: env.LOG_LEVEL ?? 'silent' }) });
  const key = gateway.devKey ?? config.apiKeys[0]?.key ?? '';
  return Object.assign(gateway, {
    key,
    fipUrl: runningTwin(gateway.sandbox, 'finditparts')?.url ?? '',
    bcUrl: runningTwin(gateway.sandbox, 'bigcommerce')?.url ?? '',
    ionUrl: runningTwin(gateway.sandbox, 'ion')?.url ?? '',
    shopifyUrl: runningTwin(gateway.sandbox, 'shopify')?.url ?? '',
    async gql<T = GqlBody>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
      const res = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'x-api-key': key, ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as T };
    },
  });
}
