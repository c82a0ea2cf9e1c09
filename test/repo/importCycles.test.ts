/**
 * The architecture check (README "Layout"): value imports between the
 * top-level folders of src/ form no cycle. scripts/checkImportCycles.mjs
 * reads the sources with the TypeScript parser; here it runs on src/, and on
 * a small tree with a cycle so the check is seen to fail.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const script = join(root, 'scripts', 'checkImportCycles.mjs');
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-cycles-'));
  temps.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const run = (dir: string) => spawnSync(process.execPath, [script, dir], { encoding: 'utf8', timeout: 60_000 });

describe('import cycles between the top-level folders of src/', () => {
  it('there are none', () => {
    const res = run(join(root, 'src'));
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/no cycles between the \d+ top-level folders/);
  });

  it('a value import that closes a cycle fails, naming the files on each edge', () => {
    const dir = tree({
      'jobs/runner.ts': "import { code } from '../graphql/errors.js';\nexport const run = () => code;\n",
      'graphql/errors.ts': "export const code = 'X';\n",
      'graphql/resolvers.ts': "import { run } from '../jobs/runner.js';\nexport const r = run;\n",
    });
    const res = run(dir);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('graphql → jobs → graphql');
    expect(res.stderr).toContain('jobs/runner.ts → graphql/errors.ts');
  });

  it('type-only imports cross any boundary', () => {
    const dir = tree({
      'jobs/runner.ts': "import type { Code } from '../graphql/errors.js';\nimport { type Other } from '../graphql/errors.js';\nexport const run = (c: Code, o: Other) => [c, o];\n",
      'graphql/errors.ts': "export type Code = string;\nexport type Other = number;\n",
      'graphql/resolvers.ts': "import { run } from '../jobs/runner.js';\nexport const r = run;\n",
    });
    expect(run(dir).status).toBe(0);
  });
});
