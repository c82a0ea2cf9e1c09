/**
 * Keeps the keyring in step with the keys file: re-read when the file changes
 * (polled with fs.watchFile, which also sees an editor's replace-by-rename
 * that fs.watch can miss) and on demand (SIGHUP; main.ts). A file that does
 * not parse keeps the keys in use and logs why (naming entries and rules,
 * never a key); the next good version is picked up as usual.
 */
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { ApiKeyEntry } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { Keyring } from './keyring.js';
import { keySetProblems, readKeysFile } from './keysFile.js';

export interface KeysReloader {
  /** Re-reads the file now; answers whether the new keys are in use. */
  reload(why: string): boolean;
  stop(): void;
}

export interface KeysReloaderOptions {
  path: string;
  keyring: Keyring;
  /** Keys from CROSSDOCK_API_KEYS (and the development key), kept beside the file's. */
  fixed: readonly ApiKeyEntry[];
  logger: Logger;
  /** How often the file's stat is polled. @default 500 */
  intervalMs?: number;
}

export function createKeysReloader(options: KeysReloaderOptions): KeysReloader {
  const { path, keyring, logger } = options;
  function reload(why: string): boolean {
    const read = readKeysFile(path);
    const entries = 'entries' in read ? [...options.fixed, ...read.entries] : [];
    const problems = 'problems' in read ? read.problems : keySetProblems(entries);
    if (problems.length > 0) {
      logger.error({ file: path, why, problems }, 'keys file not loaded: the keys in use are kept');
      return false;
    }
    keyring.replace(entries);
    logger.info({ file: path, why, keys: keyring.size }, 'keys reloaded');
    return true;
  }
  const onChange = (curr: Stats, prev: Stats) => {
    if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size || curr.ino !== prev.ino) reload('the file changed');
  };
  watchFile(path, { interval: options.intervalMs ?? 500, persistent: false }, onChange);
  return {
    reload,
    stop: () => unwatchFile(path, onChange),
  };
}
