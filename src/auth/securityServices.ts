/**
 * The secrets-and-install services createGateway wires in: the audit log,
 * the store-token vault and the token provider the BigCommerce connector
 * asks, and the app install flow (when the app is configured, or the
 * embedded sandbox provides it). Kept here so gateway.ts only plugs them in.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { createAuditLog, type AuditLog } from '../observability/auditLog.js';
import type { AuditStore } from '../observability/auditStore.js';
import type { Logger } from '../observability/logger.js';
import { registerSecret } from '../observability/redact.js';
import type { BigCommerceRoutesOptions } from '../server/bigcommerceRoutes.js';
import { createBigCommerceInstall, type BigCommerceInstall } from './bigcommerceInstall.js';
import { BIGCOMMERCE_LOGIN_URL } from './securityConfig.js';
import { createStoreTokenProvider, storeHashOf, type StoreTokenProvider } from './storeTokenProvider.js';
import { createTokenCipher, type TokenCipher, type TokenVault } from './tokenVault.js';

export interface SecurityServicesOptions {
  config: Config;
  logger: Logger;
  /** The store the connector talks to, configured or the sandbox's. */
  bigcommerce: { apiUrl: string; accessToken: string };
  /** The embedded sandbox's app: its credentials and its origin (which serves `/oauth2/token`). */
  sandboxApp?: { clientId: string; clientSecret: string; origin: string };
  /** Further secret values to keep out of logs (the resolved vendor credentials). */
  secrets?: ReadonlyArray<string | undefined>;
  /** Where audit entries go: the record layer's `audit_log` (the strategies' auditStore). */
  auditStore: AuditStore;
  /** Where sealed store tokens go, given the cipher: the record layer's `store_tokens` (the strategies' createVault). */
  createVault: (cipher: TokenCipher) => TokenVault;
}

export interface SecurityServices {
  audit: AuditLog;
  storeTokens: StoreTokenProvider;
  /** Undefined when no app is configured (the callbacks answer 404). */
  install?: BigCommerceInstall;
  /** For registerBigCommerceRoutes. */
  routes: BigCommerceRoutesOptions;
  close(): Promise<void>;
}

export async function createSecurityServices(options: SecurityServicesOptions): Promise<SecurityServices> {
  const { config, logger } = options;
  const security = config.security;
  for (const s of [options.bigcommerce.accessToken, security.bigcommerceApp.clientSecret, ...(options.secrets ?? [])]) registerSecret(s);

  const audit = createAuditLog({ store: options.auditStore, logger, retentionDays: security.audit.retentionDays });

  // The app: configured, else the embedded sandbox's.
  const app = security.bigcommerceApp;
  const clientId = app.clientId ?? options.sandboxApp?.clientId;
  const clientSecret = app.clientSecret ?? options.sandboxApp?.clientSecret;
  const loginUrl = app.loginUrl ?? (options.sandboxApp && !app.clientId ? `${options.sandboxApp.origin}/oauth2/token` : BIGCOMMERCE_LOGIN_URL);

  let key = security.tokenEncryptionKey;
  if (!key) {
    // Production with an app configured refuses to start without a key (securityConfig.ts).
    key = randomBytes(32);
    if (clientId) {
      logger.warn(
        'TOKEN_ENCRYPTION_KEY is not set: store tokens from the app install are encrypted with an ephemeral key made at start, so they are unreadable after a restart (install again, or set TOKEN_ENCRYPTION_KEY)',
      );
    }
  }
  const cipher = createTokenCipher(key);
  const vault = options.createVault(cipher);
  const storeHash = storeHashOf(options.bigcommerce.apiUrl);
  const storeTokens = createStoreTokenProvider({ vault, storeHash: storeHash ?? '', fallback: options.bigcommerce.accessToken, logger });
  await storeTokens.refresh();

  const install =
    clientId && clientSecret
      ? createBigCommerceInstall({
          clientId,
          clientSecret,
          loginUrl,
          vault,
          logger,
          onChange: async (hash) => {
            if (hash === storeHash) await storeTokens.refresh();
          },
        })
      : undefined;

  return {
    audit,
    storeTokens,
    install,
    routes: { install, storeHash, redirectUri: app.redirectUri },
    async close() {
      await Promise.allSettled([audit.close(), vault.close()]);
    },
  };
}
