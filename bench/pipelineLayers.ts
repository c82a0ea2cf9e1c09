/**
 * `npm run bench -- pipelineLayers`: where the executing path's CPU goes,
 * measured by taking layers away rather than read off a profile (a profile
 * splits every `await` into stacks of their own, and so under-counts a
 * pipeline of async hooks: it put Apollo Server's share at about 14 %).
 *
 * Four gateways of this build, in turn, in the same rounds, on the throughput
 * benchmark's workload (production defaults, `Accept-Encoding: gzip, br`, 10
 * connections, every entity in the cache):
 *
 * - **as built**, distinct 20-id sets, `RESPONSE_CACHE=false`: the executing
 *   path (queries Apollo Server has prepared answered by the direct path,
 *   src/server/directExecution.ts);
 * - **through Apollo Server's pipeline**: the same with `DIRECT_EXECUTION=false`,
 *   every request through Apollo's pipeline and the gateway's plugins;
 * - **no execution**: a copy of this build whose compiled run answers every
 *   run of a compiled query after the first with that first answer (a
 *   20-part answer, serialised and compressed per request as before): what
 *   is left when resolving costs nothing — HTTP, Fastify, authentication,
 *   screening, admission, compression, logs;
 * - **response cache hit**, one identical query: the answer and its
 *   compressed forms kept.
 *
 * The copy is made in a temporary directory from this build's `dist/` by
 * replacing one statement (the script stops if the statement it looks for
 * is gone: it names the file and the text). It answers wrongly by design
 * (any 20-part request gets the same parts) and exists only for this
 * measurement. (Until the direct path, a second copy handed back Apollo's
 * first answer without calling Apollo: the "Apollo pipeline" row measures
 * that layer now with no copy at all.)
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGateway, imageNodeFlags } from './lib/buildGateway.js';
import { REPO_ROOT, sleep } from './lib/proc.js';
import type { Scenario } from './lib/scenario.js';
import { table } from './lib/format.js';
import { measurePhase, type PhaseResult } from './throughput/measurePhase.js';
import { CLIENT_HEADERS, startCrossdock, startThroughputSandbox, warmEntityCache, type Target } from './throughput/targets.js';
import { crossdockBody, firstIds, randomIdSets } from './throughput/workload.js';

const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = QUICK ? 1 : 3;
const SECONDS = QUICK ? 2 : 8;
const WARMUP_SECONDS = QUICK ? 1 : 2;
const RANGE = 1000;

export interface Patch {
  file: string;
  find: string;
  replace: string;
  /** Added at the top of the module. */
  prelude?: string;
}

/** The compiled run of a query, the executor's and the direct path's (src/graphql/compiledExecution.ts runCompiled). */
export const NO_EXECUTION: Patch = {
  file: 'dist/graphql/compiledExecution.js',
  find: 'const result = await plan.compiled.query(undefined, context, variables ?? {});',
  replace: 'if (plan.layersCanned) return plan.layersCanned;\nconst result = await plan.compiled.query(undefined, context, variables ?? {});\nif (!result.errors && result.data?.parts?.length === 20) plan.layersCanned = result;',
};

/** A copy of this build's runtime (dist, schema, package.json; node_modules linked) with one statement replaced. */
function patchedCopy(root: string, name: string, patch: Patch): string {
  const dir = join(root, name);
  cpSync(join(REPO_ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(REPO_ROOT, 'schema'), join(dir, 'schema'), { recursive: true });
  cpSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const file = join(dir, patch.file);
  writeFileSync(file, applyPatch(readFileSync(file, 'utf8'), patch));
  return dir;
}

/** The module's text with the patch's statement replaced; throws when the statement is gone. */
export function applyPatch(text: string, patch: Patch): string {
  if (!text.includes(patch.find)) throw new Error(`${patch.file} no longer holds the statement this measurement replaces:\n${patch.find}`);
  return (patch.prelude ?? '') + text.replace(patch.find, patch.replace);
}

interface Layer {
  label: string;
  target: Target;
  rounds: PhaseResult[];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const us = (x: number) => `${Math.round(x).toLocaleString('en-US')} µs`;

export const pipelineLayers: Scenario = {
  name: 'pipelineLayers',
  title: 'The executing path, layer by layer (taken away in turn)',
  timeoutMs: 20 * 60_000,
  async run(log) {
    buildGateway();
    const root = mkdtempSync(join(tmpdir(), 'crossdock-layers-'));
    try {
      const noExecution = patchedCopy(root, 'no-execution', NO_EXECUTION);
      const sandbox = await startThroughputSandbox({ parts: RANGE });
      const flags = imageNodeFlags();
      const specs: Array<{ label: string; cwd?: string; env?: Record<string, string>; distinct: boolean; responseCache: boolean }> = [
        { label: 'as built, distinct sets, RESPONSE_CACHE=false', distinct: true, responseCache: false },
        { label: "through Apollo Server's pipeline (DIRECT_EXECUTION=false)", env: { DIRECT_EXECUTION: 'false' }, distinct: true, responseCache: false },
        { label: 'no execution (first answer handed back)', cwd: noExecution, distinct: true, responseCache: false },
        { label: 'response cache hit, identical query', distinct: false, responseCache: true },
      ];
      const layers: Layer[] = [];
      let seed = 11;
      for (const s of specs) {
        const ids = randomIdSets({ range: RANGE, size: 20, seed: seed++ });
        const target = await startCrossdock({
          label: s.label,
          sandbox,
          dir: root,
          responseCache: s.responseCache,
          defaults: 'production',
          body: crossdockBody(firstIds(20)),
          headers: CLIENT_HEADERS,
          nodeFlags: flags,
          ...(s.cwd ? { cwd: s.cwd } : {}),
          ...(s.env ? { env: s.env } : {}),
          ...(s.distinct ? { nextBody: () => crossdockBody(ids.next()) } : {}),
        });
        await warmEntityCache(target, RANGE);
        layers.push({ label: s.label, target, rounds: [] });
      }
      for (let round = 1; round <= ROUNDS; round++) {
        for (const layer of layers) {
          const r = await measurePhase(layer.target, sandbox, { connections: 10, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS });
          layer.rounds.push(r);
          log(`  round ${round} ${layer.label}: ${Math.round(r.load.rps)} req/s, ${Math.round(r.cpuUsPerRequest)} µs/req`);
          await sleep(300);
        }
      }
      const built = layers[0] as Layer;
      const cpuOf = (l: Layer) => mean(l.rounds.map((r) => r.cpuUsPerRequest));
      // Shares from per-round ratios against the build as it is, measured in the same round.
      const shareOf = (l: Layer) => mean(l.rounds.map((r, i) => r.cpuUsPerRequest / ((built.rounds[i] as PhaseResult).cpuUsPerRequest || Number.NaN)));
      const rows = layers.map((l) => [l.label, Math.round(mean(l.rounds.map((r) => r.load.rps))).toLocaleString('en-US'), us(cpuOf(l)), `${Math.round(shareOf(l) * 100)}%`]);
      const [, viaApollo, noExec, hit] = layers as [Layer, Layer, Layer, Layer];
      const execution = shareOf(built) - shareOf(noExec);
      const pipeline = shareOf(viaApollo) - shareOf(built);
      return [
        `Four gateways of this build in turn, ${ROUNDS} rounds of ${SECONDS} s (after ${WARMUP_SECONDS} s of warm-up each), 10 connections, production defaults,`,
        '`Accept-Encoding: gzip, br`, random 20-id sets from a warm range of 1,000 parts (one fixed set for the cache hit). Server CPU is user + system',
        'of the gateway process (all threads) per request; "of as built" is the mean of per-round ratios. The "no execution" row is a copy of this build with one',
        'statement replaced (bench/pipelineLayers.ts): it hands back a first 20-part answer and answers wrongly by design.',
        '',
        table(['gateway', 'req/s', 'server CPU/req', 'of as built'], rows),
        '',
        `Resolving the query (graphql-jit's compiled code, the resolvers, the entity reads): **${Math.round(execution * 100)}%** of the executing path's CPU.`,
        `What neither takes (HTTP, Fastify, authentication, screening, admission, serialising and compressing the answer, logs, budgets): **${Math.round(shareOf(noExec) * 100)}%**;`,
        `the response cache hit, which also keeps the answer's compressed forms: ${Math.round(shareOf(hit) * 100)}%.`,
        `Through Apollo Server's pipeline and the gateway's plugins instead of the direct path: **+${Math.round(pipeline * 100)}%** of the direct path's CPU.`,
      ].join('\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};
