/**
 * "Heavy clients load only when configured" (STYLE.md; DESIGN.md principle
 * 4): walks the static import graph from src/main.ts and checks that no
 * Redis client (@redis/client, @keyv/redis) and none of the Redis strategy
 * modules is reachable without the dynamic import behind REDIS_URL, and no
 * PostgreSQL client (pg) without the one behind DATABASE_URL.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Static imports and re-exports (type-only imports are erased and load nothing).
const STATIC = /^\s*(?:import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(STATIC)) {
      const spec = m[1] as string;
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
        if (existsSync(target)) queue.push(target);
      } else {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
      }
    }
  }
  return { files, packages };
}

it('the embedded default loads no Redis client: Redis modules are reachable only through the dynamic import', () => {
  const { files, packages } = staticGraph(join(ROOT, 'src/main.ts'));
  expect(files.has(join(ROOT, 'src/gateway.ts'))).toBe(true);
  expect(files.has(join(ROOT, 'src/strategies/index.ts'))).toBe(true);
  expect([...packages].filter((p) => /redis|bullmq/i.test(p))).toEqual([]);
  const redisModules = [...files].filter((f) => /redis/i.test(f.slice(ROOT.length)) && !f.endsWith('redisConfig.ts'));
  expect(redisModules).toEqual([]);
  // And the dynamic import is there.
  expect(readFileSync(join(ROOT, 'src/strategies/index.ts'), 'utf8')).toMatch(/await import\('\.\/redis\.js'\)/);
});

it('the embedded default loads no PostgreSQL client: pg is reachable only through the dynamic import', () => {
  const { files, packages } = staticGraph(join(ROOT, 'src/main.ts'));
  expect(files.has(join(ROOT, 'src/records/recordDatabase.ts'))).toBe(true);
  expect([...packages].filter((p) => p === 'pg' || p.startsWith('pg-'))).toEqual([]);
  expect(readFileSync(join(ROOT, 'src/records/recordDatabase.ts'), 'utf8')).toMatch(/await import\('pg'\)/);
});
