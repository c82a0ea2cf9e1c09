/**
 * The embedded media store: files under `{dir}/{first two hex digits}/{key}`
 * (the data dir's `media/` by default), written to a temporary name and
 * renamed into place, so a reader never sees half a file and a crash leaves
 * no torn object (rename is atomic on POSIX file systems).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { contentTypeOfKey, MEDIA_EXTENSIONS, MEDIA_KEY, type MediaStore, type MediaType } from './mediaStore.js';

export function createFileMediaStore(dir: string): MediaStore {
  const pathOf = (key: string) => join(dir, key.slice(0, 2), key);
  return {
    kind: 'file',
    async put(bytes, contentType: MediaType) {
      const key = `${createHash('sha256').update(bytes).digest('hex')}.${MEDIA_EXTENSIONS[contentType]}`;
      const path = pathOf(key);
      const existing = await stat(path).catch(() => undefined);
      if (!existing || existing.size !== bytes.length) {
        await mkdir(join(dir, key.slice(0, 2)), { recursive: true });
        const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
        await writeFile(temporary, bytes);
        await rename(temporary, path);
      }
      return { key, contentType, bytes: bytes.length };
    },
    async get(key) {
      const contentType = contentTypeOfKey(key);
      if (!MEDIA_KEY.test(key) || !contentType) return null;
      const bytes = await readFile(pathOf(key)).catch(() => null);
      return bytes ? { bytes, contentType } : null;
    },
  };
}
