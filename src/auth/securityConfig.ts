/**
 * The secrets part of the configuration: the key that encrypts store tokens
 * at rest, and audit log retention (the BigCommerce app's own variables are
 * in its connector's slice, src/connectors/bigcommerce/index.ts). config.ts merges `SECURITY_ENV` into its environment
 * schema and calls `securityConfig()`; every variable is in the README's
 * configuration table.
 */
import { z } from 'zod';
import type { ParsedEnv } from '../env/variables.js';

export interface SecurityConfig {
  /** 32-byte AES-256-GCM key for store tokens at rest (TOKEN_ENCRYPTION_KEY); unset: an ephemeral one per start (development only). */
  tokenEncryptionKey?: Buffer;
  audit: {
    /** Audit entries older than this many days are deleted (AUDIT_RETENTION_DAYS). */
    retentionDays: number;
  };
}

const text = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** 32 bytes as 64 hex digits or base64 / base64url (44 or 43 characters). */
export function parseEncryptionKey(raw: string): Buffer | undefined {
  const v = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(v)) {
    const bytes = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return bytes.length === 32 ? bytes : undefined;
  }
  return undefined;
}

/** Merged into config.ts's environment schema. */
export const SECURITY_ENV = {
  TOKEN_ENCRYPTION_KEY: text.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const key = parseEncryptionKey(v);
    // Name the rule, never the value.
    if (!key) ctx.addIssue({ code: 'custom', message: 'must be 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)' });
    return key ?? z.NEVER;
  }),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(90),
};

type SecurityEnv = ParsedEnv<typeof SECURITY_ENV>;

/** The security config from the parsed environment; problems go to `problems` (named, never echoing values). */
export function securityConfig(e: SecurityEnv): SecurityConfig {
  return {
    tokenEncryptionKey: e.TOKEN_ENCRYPTION_KEY,
    audit: { retentionDays: e.AUDIT_RETENTION_DAYS },
  };
}
