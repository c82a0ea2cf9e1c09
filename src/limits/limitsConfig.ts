/**
 * The request-limits part of the configuration: per-client budgets,
 * hostile-query limits, introspection, web hardening and trusted documents.
 * config.ts merges `LIMITS_ENV` into its environment schema and calls
 * `limitsConfig()`; every variable is in the README's configuration table.
 */
import { z } from 'zod';
import type { Role } from '../config.js';
import type { ParsedEnv } from '../env/variables.js';

// A type-only import: config.ts imports this file, so no value may come back from it.
// Record<Role, …> makes the compiler name any role added to config.ts and missing here.
const KNOWN_ROLES: Readonly<Record<Role, true>> = { viewer: true, operator: true, admin: true };
const ROLES = Object.keys(KNOWN_ROLES) as Role[];

export interface LimitsConfig {
  budgets: {
    /** Points each client may spend per window (CLIENT_BUDGET_POINTS). */
    points: number;
    /** Window length in seconds (CLIENT_BUDGET_WINDOW_SECONDS). */
    windowSeconds: number;
    /** Per-client points, by client name (CLIENT_BUDGETS). */
    overrides: Record<string, number>;
  };
  /** Largest selection depth (MAX_QUERY_DEPTH). */
  maxDepth: number;
  /** Most aliases in one document, fragments expanded, `__typename` included (MAX_ALIASES). */
  maxAliases: number;
  /** Most directive uses in one document, fragments expanded (MAX_DIRECTIVES). */
  maxDirectives: number;
  /** Most lexical tokens in one document (MAX_TOKENS). */
  maxTokens: number;
  /** Most validation errors one request gets back, then one "too many" (MAX_VALIDATION_ERRORS). */
  maxValidationErrors: number;
  /** Largest estimated cost of one request (MAX_QUERY_COST). */
  maxCost: number;
  /** Largest request body (MAX_BODY_BYTES); larger is 413. */
  maxBodyBytes: number;
  introspection: {
    /** Introspection for every client (INTROSPECTION). */
    enabled: boolean;
    /** Roles that may introspect when it is not enabled for everyone (INTROSPECTION_ROLES). */
    roles: Role[];
  };
  /** Keep graphql's "Did you mean …?" in errors: development only. */
  fieldSuggestions: boolean;
  /** Origins allowed to call cross-origin (CORS_ORIGINS); empty: no CORS headers at all. */
  corsOrigins: string[];
  /** gzip/br/deflate for responses over 1 KiB (COMPRESSION). */
  compression: boolean;
  apq: {
    /** Automatic persisted queries (APQ). */
    enabled: boolean;
    /** Bound of the in-memory APQ cache (APQ_MAX_ENTRIES). */
    maxEntries: number;
  };
  /** Streaming transports (SSE at /graphql/stream, graphql-ws on /graphql). */
  streams: {
    /**
     * Concurrent streams one client may hold on this instance, SSE and WebSocket together
     * (MAX_STREAMS_PER_CLIENT): an SSE event stream or reservation, a WebSocket connection,
     * and each operation on a shared connection (SSE single-connection mode, WebSocket).
     */
    maxPerClient: number;
    /** WebSocket sockets open at once that have not authenticated yet (WS_MAX_UNAUTHENTICATED). */
    maxUnauthenticatedSockets: number;
    /** A WebSocket that sends no connection_init within this is closed, 4408 (WS_CONNECTION_INIT_TIMEOUT_MS). */
    connectionInitTimeoutMs: number;
  };
  trustedDocuments: {
    /** `off`: any document; `safelist`: only documents in `file`. */
    mode: 'off' | 'safelist';
    /** JSON map sha256 → document (TRUSTED_DOCUMENTS_FILE). */
    file?: string;
  };
}

const int = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes'));

/** Merged into config.ts's environment schema. */
export const LIMITS_ENV = {
  CLIENT_BUDGET_POINTS: int(1, 1_000_000_000, 1_000),
  CLIENT_BUDGET_WINDOW_SECONDS: int(1, 86_400, 900),
  CLIENT_BUDGETS: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (!raw || raw.trim() === '') return {} as Record<string, number>;
      try {
        return z.record(z.string().min(1), z.number().int().min(1).max(1_000_000_000)).parse(JSON.parse(raw));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of client name → points, e.g. {"storefront": 5000}' });
        return z.NEVER;
      }
    }),
  MAX_QUERY_DEPTH: int(1, 1_000, 15),
  MAX_ALIASES: int(0, 100_000, 30),
  MAX_DIRECTIVES: int(0, 100_000, 50),
  MAX_TOKENS: int(10, 1_000_000, 5_000),
  // A handful tells a client what is wrong; more only makes a hostile document's answer (and its validation) bigger.
  MAX_VALIDATION_ERRORS: int(1, 1_000, 5),
  MAX_QUERY_COST: int(1, 1_000_000_000, 5_000),
  MAX_BODY_BYTES: int(1_024, 100 * 1024 * 1024, 100 * 1024),
  INTROSPECTION: flag,
  INTROSPECTION_ROLES: z
    .string()
    .optional()
    .transform((raw, ctx): Role[] => {
      if (raw === undefined) return ['admin'];
      const roles = raw
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      const unknown = roles.filter((r) => !ROLES.includes(r as Role));
      if (unknown.length) ctx.addIssue({ code: 'custom', message: `unknown role(s) ${unknown.join(', ')}; roles are ${ROLES.join(', ')}` });
      return roles as Role[];
    }),
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((raw, ctx): string[] => {
      if (!raw || raw.trim() === '') return [];
      const out: string[] = [];
      for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
        try {
          const u = new URL(item);
          if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
          // An origin is scheme://host[:port], nothing more.
          out.push(u.origin);
        } catch {
          ctx.addIssue({ code: 'custom', message: `"${item.slice(0, 100)}" is not an http(s) origin` });
        }
      }
      return out;
    }),
  COMPRESSION: flag,
  APQ: flag,
  APQ_MAX_ENTRIES: int(1, 1_000_000, 1_000),
  MAX_STREAMS_PER_CLIENT: int(1, 1_000_000, 100),
  WS_MAX_UNAUTHENTICATED: int(1, 1_000_000, 100),
  // graphql-ws's own default: a legitimate client sends connection_init at once.
  WS_CONNECTION_INIT_TIMEOUT_MS: int(100, 60_000, 3_000),
  TRUSTED_DOCUMENTS: z.enum(['off', 'safelist']).default('off'),
  TRUSTED_DOCUMENTS_FILE: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
};

type LimitsEnv = ParsedEnv<typeof LIMITS_ENV>;

/** The limits config from the parsed environment; problems go to `problems` (named, never echoing values). */
export function limitsConfig(e: LimitsEnv, mode: 'development' | 'production', problems: string[]): LimitsConfig {
  if (e.TRUSTED_DOCUMENTS === 'safelist' && !e.TRUSTED_DOCUMENTS_FILE) problems.push('TRUSTED_DOCUMENTS=safelist requires TRUSTED_DOCUMENTS_FILE');
  const development = mode === 'development';
  return {
    budgets: { points: e.CLIENT_BUDGET_POINTS, windowSeconds: e.CLIENT_BUDGET_WINDOW_SECONDS, overrides: e.CLIENT_BUDGETS },
    maxDepth: e.MAX_QUERY_DEPTH,
    maxAliases: e.MAX_ALIASES,
    maxDirectives: e.MAX_DIRECTIVES,
    maxTokens: e.MAX_TOKENS,
    maxValidationErrors: e.MAX_VALIDATION_ERRORS,
    maxCost: e.MAX_QUERY_COST,
    maxBodyBytes: e.MAX_BODY_BYTES,
    // On in the embedded default (the playground needs it), off in production unless the role allows it.
    introspection: { enabled: e.INTROSPECTION ?? development, roles: e.INTROSPECTION_ROLES },
    fieldSuggestions: development,
    corsOrigins: e.CORS_ORIGINS,
    compression: e.COMPRESSION ?? true,
    apq: { enabled: e.APQ ?? true, maxEntries: e.APQ_MAX_ENTRIES },
    streams: {
      maxPerClient: e.MAX_STREAMS_PER_CLIENT,
      maxUnauthenticatedSockets: e.WS_MAX_UNAUTHENTICATED,
      connectionInitTimeoutMs: e.WS_CONNECTION_INIT_TIMEOUT_MS,
    },
    trustedDocuments: { mode: e.TRUSTED_DOCUMENTS, file: e.TRUSTED_DOCUMENTS_FILE },
  };
}
