/**
 * Uploaded import files, content-addressed: a file is stored under the
 * imports directory as `<sha256>.csv`, so an import job's scope names its
 * rows durably (a job resumed after kill -9 reads the same bytes), and the
 * same file uploaded twice is one file.
 *
 * The upload is streamed to a temporary file while it is hashed, counted
 * and checked to be UTF-8; past `maxBytes` it is refused at once and the
 * partial file removed (an oversized Content-Length is refused before a
 * byte is read, by the route).
 *
 * Several instances (PostgreSQL or Redis records) need every instance to
 * reach the file: point BULK_IMPORT_DIR at a shared volume (README, "Bulk
 * CSV").
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { BulkRefusal, badInput } from './bulkRefusal.js';

export interface SavedUpload {
  sha256: string;
  bytes: number;
  path: string;
  /** False when the same bytes were already stored (another upload, maybe another job's file). */
  created: boolean;
}

export interface ImportFiles {
  readonly dir: string;
  readonly maxBytes: number;
  /** Streams `body` into the directory; refuses (and removes) a body over `maxBytes` or not UTF-8. */
  save(body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): Promise<SavedUpload>;
  pathOf(sha256: string): string;
  exists(sha256: string): boolean;
}

export interface ImportFilesOptions {
  /** Where uploads live (BULK_IMPORT_DIR). */
  dir: string;
  /** Largest upload in bytes (BULK_IMPORT_MAX_BYTES). */
  maxBytes: number;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function createImportFiles(options: ImportFilesOptions): ImportFiles {
  const { dir, maxBytes } = options;
  const pathOf = (sha256: string) => {
    if (!SHA256.test(sha256)) throw new Error('not a sha256');
    return join(dir, `${sha256}.csv`);
  };
  return {
    dir,
    maxBytes,
    pathOf,
    exists: (sha256) => SHA256.test(sha256) && existsSync(pathOf(sha256)),
    async save(body) {
      mkdirSync(dir, { recursive: true });
      const tmp = join(dir, `.upload-${randomUUID()}.tmp`);
      const out = createWriteStream(tmp, { flags: 'wx' });
      const hash = createHash('sha256');
      // fatal: a byte sequence that is not UTF-8 is refused, not silently replaced.
      const utf8 = new TextDecoder('utf-8', { fatal: true });
      let bytes = 0;
      // A body that breaks off (the client went away) is the client's doing, not the gateway's fault.
      const pieces = (async function* () {
        try {
          yield* body;
        } catch {
          throw badInput('UPLOAD_ABORTED', 'the upload ended before its last byte');
        }
      })();
      try {
        for await (const piece of pieces) {
          const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
          bytes += chunk.byteLength;
          if (bytes > maxBytes) throw new BulkRefusal(413, 'PAYLOAD_TOO_LARGE', 'FILE_TOO_LARGE', `the file is larger than ${maxBytes} bytes (BULK_IMPORT_MAX_BYTES)`, { limitBytes: maxBytes });
          try {
            utf8.decode(chunk, { stream: true });
          } catch {
            throw badInput('NOT_UTF8', 'the file is not UTF-8 text (with or without a byte order mark)');
          }
          hash.update(chunk);
          if (!out.write(chunk)) await once(out, 'drain');
        }
        try {
          utf8.decode();
        } catch {
          throw badInput('NOT_UTF8', 'the file is not UTF-8 text (it ends inside a character)');
        }
        out.end();
        await once(out, 'finish');
        const sha256 = hash.digest('hex');
        const path = pathOf(sha256);
        // Content-addressed: the same bytes are the same file, whoever uploaded them first.
        const created = !existsSync(path);
        if (created) renameSync(tmp, path);
        else rmSync(tmp, { force: true });
        return { sha256, bytes, path, created };
      } catch (err) {
        // The file is opened asynchronously: wait until it is closed, or the removal could come before it exists.
        const closed = out.closed ? Promise.resolve() : once(out, 'close').catch(() => undefined);
        out.destroy();
        await closed;
        rmSync(tmp, { force: true });
        throw err;
      }
    },
  };
}
