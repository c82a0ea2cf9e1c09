/**
 * The gateway's own secrets-and-records services: the audit log, and the
 * vault of sealed tokens (AES-256-GCM with TOKEN_ENCRYPTION_KEY) that
 * connectors keep vendor tokens in (the BigCommerce app install's store
 * tokens today). Both live in the record layer (the data dir's SQLite file,
 * or PostgreSQL with DATABASE_URL), so they are shared by every instance
 * when the records are.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { createAuditLog, type AuditLog } from '../observability/auditLog.js';
import type { AuditStore } from '../observability/auditStore.js';
import type { Logger } from '../observability/logger.js';
import { createTokenCipher, type TokenCipher, type TokenVault } from './tokenVault.js';

export interface SecurityServicesOptions {
  config: Config;
  logger: Logger;
  /** Where audit entries go: the record layer's `audit_log` (the strategies' auditStore). */
  auditStore: AuditStore;
  /** Where sealed tokens go, given the cipher: the record layer's `store_tokens` (the strategies' createVault). */
  createVault: (cipher: TokenCipher) => TokenVault;
}

export interface SecurityServices {
  audit: AuditLog;
  tokens: TokenVault;
  /** No TOKEN_ENCRYPTION_KEY: tokens are sealed with a key made at start, unreadable after a restart. */
  ephemeralKey: boolean;
  close(): Promise<void>;
}

export function createSecurityServices(options: SecurityServicesOptions): SecurityServices {
  const { config, logger } = options;
  const security = config.security;
  const audit = createAuditLog({ store: options.auditStore, logger, retentionDays: security.audit.retentionDays });
  // Production with a connector that seals tokens refuses to start without a key (its config slice says so).
  const key = security.tokenEncryptionKey ?? randomBytes(32);
  const cipher = createTokenCipher(key);
  const tokens = options.createVault(cipher);
  return {
    audit,
    tokens,
    ephemeralKey: !security.tokenEncryptionKey,
    async close() {
      await audit.close();
    },
  };
}
