#!/usr/bin/env node
/**
 * The architecture check: no value import may close a cycle between the
 * top-level folders of src/ (README "Layout"). Type-only imports are allowed
 * across any boundary (they vanish at compile time and create no load-order
 * dependency); a value import from folder A into folder B means "A builds on
 * B", and that relation must stay a DAG.
 *
 * Reads the sources with the TypeScript parser, so `import type`, `import {
 * type X }`, `export … from` and dynamic `import()` are told apart exactly.
 * Prints each cycle with one file-level import per edge; exits 1 when any.
 *
 * Usage: node scripts/checkImportCycles.mjs [srcDir] [--graph]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const args = process.argv.slice(2);
const src = resolve(args.find((a) => !a.startsWith('--')) ?? join(fileURLToPath(new URL('.', import.meta.url)), '..', 'src'));
const printGraph = args.includes('--graph');

const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) files.push(p);
  }
})(src);

/** `src/jobs/x.ts` → `jobs`; files directly under src/ are the composition root. */
const folderOf = (file) => {
  const parts = relative(src, file).split('/');
  return parts.length > 1 ? parts[0] : '(root)';
};

/** Relative module specifiers this file imports for their values. */
function valueImports(file) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out = [];
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause &&
        (clause.isTypeOnly ||
          (!clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.isTypeOnly || (node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      out.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out.filter((s) => s.startsWith('.'));
}

/** folder → folder → an example `file => target` */
const edges = new Map();
for (const file of files) {
  const from = folderOf(file);
  for (const spec of valueImports(file)) {
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    if (!target.startsWith(src)) continue;
    const to = folderOf(target);
    if (to === from || to === '(root)' && from === '(root)') continue;
    if (!edges.has(from)) edges.set(from, new Map());
    const m = edges.get(from);
    if (!m.has(to)) m.set(to, `${relative(src, file)} → ${relative(src, target)}`);
  }
}

if (printGraph) {
  for (const [from, tos] of [...edges].sort()) console.log(`${from} → ${[...tos.keys()].sort().join(', ')}`);
}

// Every elementary cycle would be many; one cycle per strongly connected component says enough.
const cycles = [];
const state = new Map(); // folder → 'visiting' | 'done'
const stack = [];
function dfs(node) {
  state.set(node, 'visiting');
  stack.push(node);
  for (const next of edges.get(node)?.keys() ?? []) {
    if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next]);
    else if (!state.has(next)) dfs(next);
  }
  stack.pop();
  state.set(node, 'done');
}
for (const node of [...edges.keys()].sort()) if (!state.has(node)) dfs(node);

if (cycles.length > 0) {
  console.error(`checkImportCycles: ${cycles.length} cycle(s) between top-level folders of ${relative(process.cwd(), src) || '.'} (value imports):`);
  for (const cycle of cycles) {
    console.error(`  ${cycle.join(' → ')}`);
    for (let i = 0; i < cycle.length - 1; i++) console.error(`      ${edges.get(cycle[i]).get(cycle[i + 1])}`);
  }
  process.exit(1);
}
console.log(`checkImportCycles: no cycles between the ${new Set(files.map(folderOf)).size} top-level folders of src/.`);
