/**
 * Uploaded import files (src/bulk/importFiles.ts): content-addressed, bounded,
 * and an upload that breaks off leaves nothing behind and is the client's
 * refusal (UPLOAD_ABORTED), not an internal error.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BulkRefusal } from '../../src/bulk/bulkRefusal.js';
import { createImportFiles } from '../../src/bulk/importFiles.js';

describe('import files', () => {
  it('stores the same bytes once, under their sha256', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossdock-files-'));
    const files = createImportFiles({ dir, maxBytes: 1000 });
    const a = await files.save([Buffer.from('part_number\nBX-1\n')]);
    const b = await files.save(['part_number\n', 'BX-1\n']);
    expect(a.sha256).toBe(b.sha256);
    expect([a.created, b.created]).toEqual([true, false]);
    expect(readdirSync(dir)).toEqual([`${a.sha256}.csv`]);
  });

  it('an upload that breaks off is refused as UPLOAD_ABORTED and leaves no partial file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossdock-files-'));
    const files = createImportFiles({ dir, maxBytes: 1_000_000 });
    const body = (async function* () {
      yield Buffer.from('part_number\nBX-1\n');
      await new Promise((r) => setTimeout(r, 20));
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    })();
    const err = await files.save(body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BulkRefusal);
    expect(err).toMatchObject({ status: 400, reason: 'UPLOAD_ABORTED' });
    expect(readdirSync(dir)).toEqual([]);
  });
});
