/**
 * `npm run bench -- pipelineLayers` measures a copy of the build with one
 * statement replaced (bench/pipelineLayers.ts). The statements are found
 * in the compiled modules; when the source moves on, the benchmark stops and
 * names the statement. Checked here on the sources compiled as `npm run
 * build` compiles them, so a change that moves them fails the suite rather
 * than the next benchmark run; and the replaced module still parses.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPatch, NO_EXECUTION, type Patch } from '../../bench/pipelineLayers.js';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'layers-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The module as tsc emits it with tsconfig.build.json's options. */
function compiled(patch: Patch): string {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error('tsconfig.build.json did not parse');
  const source = join(root, patch.file.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'));
  // ES modules, as tsc emits them for this package (`"type": "module"`; transpileModule alone cannot tell).
  return ts.transpileModule(readFileSync(source, 'utf8'), { compilerOptions: { ...config.options, module: ts.ModuleKind.ESNext }, fileName: source }).outputText;
}

describe('pipelineLayers patches', () => {
  for (const patch of [NO_EXECUTION]) {
    it(`finds its statement in ${patch.file}, and the replaced module parses`, () => {
      const patched = applyPatch(compiled(patch), patch);
      expect(patched).toContain(patch.replace);
      const file = join(dir, `${patch.file.replace(/\W+/g, '-')}.mjs`);
      writeFileSync(file, patched);
      // Syntax only: node --check does not load the module's imports.
      expect(() => execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' })).not.toThrow();
    });
  }

  it('stops, naming the statement, when the statement is gone', () => {
    expect(() => applyPatch('export const x = 1;\n', NO_EXECUTION)).toThrow(/no longer holds the statement/);
  });
});
