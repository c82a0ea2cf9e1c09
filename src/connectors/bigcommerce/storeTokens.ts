/**
 * Which `X-Auth-Token` the BigCommerce connector sends: the token the app
 * install stored for the configured store when there is one, otherwise the
 * static BIGCOMMERCE_ACCESS_TOKEN. The connector asks synchronously on every
 * attempt, so the choice is held in memory and re-read from the vault at
 * start, after a local install or uninstall, and on a 401 (the upstream
 * client's refreshAuth), which is how an instance learns of an install or
 * uninstall done by another instance sharing the vault.
 */
import type { Logger } from '../../observability/logger.js';
import type { TokenVault } from '../../auth/tokenVault.js';

export interface StoreTokenProvider {
  /** The token to send now. */
  current(): string;
  /** Where `current()` comes from. */
  readonly source: 'installed' | 'static';
  /** Re-reads the vault; concurrent calls share one read. Never throws. */
  refresh(): Promise<void>;
}

export interface StoreTokenProviderOptions {
  vault: TokenVault;
  /** The configured store (`/stores/{hash}` of BIGCOMMERCE_API_URL). */
  storeHash: string;
  /** BIGCOMMERCE_ACCESS_TOKEN; empty when only the install provides one. */
  fallback: string;
  logger: Logger;
}

/** The store hash in a BigCommerce API base such as `https://api.bigcommerce.com/stores/abc123`. */
export function storeHashOf(apiUrl: string): string | undefined {
  return /\/stores\/([^/]+)/.exec(new URL(apiUrl).pathname)?.[1];
}

export function createStoreTokenProvider(options: StoreTokenProviderOptions): StoreTokenProvider {
  const { vault, storeHash, fallback, logger } = options;
  let installed: string | undefined;
  let inFlight: Promise<void> | undefined;
  let warned = false;

  async function read(): Promise<void> {
    try {
      const r = await vault.get(storeHash);
      switch (r.kind) {
        case 'installed':
          installed = r.record.accessToken;
          warned = false;
          return;
        case 'absent':
          installed = undefined;
          return;
        case 'unreadable':
          installed = undefined;
          if (!warned) {
            warned = true;
            logger.warn(
              { storeHash, keyMismatch: r.keyMismatch },
              r.keyMismatch
                ? 'the installed store token was sealed with another TOKEN_ENCRYPTION_KEY; using the static token until the app is installed again'
                : 'the installed store token does not open (damaged or tampered row); using the static token',
            );
          }
          return;
        default: {
          const never: never = r;
          throw new Error(`unexpected vault answer ${String(never)}`);
        }
      }
    } catch (err) {
      logger.error({ err, storeHash }, 'reading the store token vault failed; keeping the current token');
    }
  }

  return {
    current: () => installed ?? fallback,
    get source() {
      return installed ? ('installed' as const) : ('static' as const);
    },
    refresh() {
      inFlight ??= read().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}
