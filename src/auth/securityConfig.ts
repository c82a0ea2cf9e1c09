/**
 * The secrets-and-install part of the configuration: the BigCommerce app
 * (single-click install), the key that encrypts store tokens at rest, and
 * audit log retention. config.ts merges `SECURITY_ENV` into its environment
 * schema and calls `securityConfig()`; every variable is in the README's
 * configuration table.
 */
import { z } from 'zod';

export interface BigCommerceAppConfig {
  /** App client id (BIGCOMMERCE_APP_CLIENT_ID): the code exchange's `client_id` and the signed payload's `aud`. */
  clientId?: string;
  /** App client secret (BIGCOMMERCE_APP_CLIENT_SECRET): the exchange's `client_secret` and the signed payload's HMAC key. */
  clientSecret?: string;
  /** Token endpoint (BIGCOMMERCE_LOGIN_URL); unset: the embedded sandbox's, or https://login.bigcommerce.com/oauth2/token. */
  loginUrl?: string;
  /**
   * `redirect_uri` sent with the exchange (BIGCOMMERCE_APP_REDIRECT_URI); unset (development only): the
   * gateway's own listen URL + `/bigcommerce/auth`. Never the callback request's Host header: a caller chooses that.
   */
  redirectUri?: string;
}

export interface SecurityConfig {
  bigcommerceApp: BigCommerceAppConfig;
  /** 32-byte AES-256-GCM key for store tokens at rest (TOKEN_ENCRYPTION_KEY); unset: an ephemeral one per start (development only). */
  tokenEncryptionKey?: Buffer;
  audit: {
    /** Audit entries older than this many days are deleted (AUDIT_RETENTION_DAYS). */
    retentionDays: number;
  };
}

/** The real vendor endpoint (upstreams.md, "App OAuth"). */
export const BIGCOMMERCE_LOGIN_URL = 'https://login.bigcommerce.com/oauth2/token';

const text = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const httpUrl = text.transform((v, ctx) => {
  if (v === undefined) return undefined;
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    return u.toString();
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL' });
    return z.NEVER;
  }
});

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
  BIGCOMMERCE_APP_CLIENT_ID: text,
  BIGCOMMERCE_APP_CLIENT_SECRET: text,
  BIGCOMMERCE_LOGIN_URL: httpUrl,
  BIGCOMMERCE_APP_REDIRECT_URI: httpUrl,
  TOKEN_ENCRYPTION_KEY: text.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const key = parseEncryptionKey(v);
    // Name the rule, never the value.
    if (!key) ctx.addIssue({ code: 'custom', message: 'must be 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)' });
    return key ?? z.NEVER;
  }),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(90),
};

type SecurityEnv = { [K in keyof typeof SECURITY_ENV]: z.output<(typeof SECURITY_ENV)[K]> };

/** The security config from the parsed environment; problems go to `problems` (named, never echoing values). */
export function securityConfig(e: SecurityEnv, mode: 'development' | 'production', problems: string[]): SecurityConfig {
  if (Boolean(e.BIGCOMMERCE_APP_CLIENT_ID) !== Boolean(e.BIGCOMMERCE_APP_CLIENT_SECRET)) {
    problems.push('set both BIGCOMMERCE_APP_CLIENT_ID and BIGCOMMERCE_APP_CLIENT_SECRET, or neither');
  }
  if (mode === 'production' && e.BIGCOMMERCE_APP_CLIENT_ID && !e.TOKEN_ENCRYPTION_KEY) {
    problems.push('production mode with the BigCommerce app configured requires TOKEN_ENCRYPTION_KEY (store tokens are encrypted at rest with it)');
  }
  if (mode === 'production' && e.BIGCOMMERCE_APP_CLIENT_ID && !e.BIGCOMMERCE_APP_REDIRECT_URI) {
    // BigCommerce refuses an exchange whose redirect_uri is not the registered auth callback, and
    // behind a proxy the gateway cannot know its public URL (nor may it trust a caller's Host header).
    problems.push('production mode with the BigCommerce app configured requires BIGCOMMERCE_APP_REDIRECT_URI (the auth callback URL registered with the app)');
  }
  return {
    bigcommerceApp: {
      clientId: e.BIGCOMMERCE_APP_CLIENT_ID,
      clientSecret: e.BIGCOMMERCE_APP_CLIENT_SECRET,
      loginUrl: e.BIGCOMMERCE_LOGIN_URL,
      redirectUri: e.BIGCOMMERCE_APP_REDIRECT_URI,
    },
    tokenEncryptionKey: e.TOKEN_ENCRYPTION_KEY,
    audit: { retentionDays: e.AUDIT_RETENTION_DAYS },
  };
}
