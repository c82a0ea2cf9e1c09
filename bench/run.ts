/**
 * `npm run bench [-- name …]`: runs the scenarios (all, or those named),
 * prints a table per scenario and rewrites its section of bench/RESULTS.md.
 * Every child process is stopped at the end, on failure and on Ctrl-C too.
 */
import { bulkCsv } from './bulkCsv.js';
import { callsPerQuery } from './callsPerQuery.js';
import { dashboardIdle } from './dashboardIdle.js';
import { erpReads } from './erpReads.js';
import { heapBounds } from './heapBounds.js';
import { describeMachine, machineLine } from './lib/machine.js';
import { killAllNow, stopAll } from './lib/proc.js';
import { RESULTS_PATH, writeSection } from './lib/results.js';
import type { Scenario } from './lib/scenario.js';
import { orderLatency } from './orderLatency.js';
import { orderMirror } from './orderMirror.js';
import { pipelineLayers } from './pipelineLayers.js';
import { recordThroughput } from './recordThroughput.js';
import { redisThroughput } from './redisThroughput.js';
import { sandboxStartup } from './sandboxStartup.js';
import { socialIngest } from './socialIngest.js';
import { sseFanout } from './sseFanout.js';
import { syncRate } from './syncRate.js';
import { throughput } from './throughput.js';
import { whatsappSend } from './whatsappSend.js';

const SCENARIOS: Scenario[] = [sandboxStartup, callsPerQuery, throughput, pipelineLayers, syncRate, sseFanout, orderLatency, recordThroughput, redisThroughput, dashboardIdle, erpReads, bulkCsv, heapBounds, socialIngest, whatsappSend, orderMirror];
const ORDER = SCENARIOS.map((s) => s.name);

function select(args: string[]): Scenario[] {
  const names = args.filter((a) => a !== '--');
  if (names.length === 0) return SCENARIOS;
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name.toLowerCase() === n.toLowerCase()));
  if (unknown.length > 0) {
    throw new Error(`unknown scenario ${unknown.map((n) => `"${n}"`).join(', ')}; choose from ${ORDER.join(', ')}`);
  }
  return SCENARIOS.filter((s) => names.some((n) => n.toLowerCase() === s.name.toLowerCase()));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main(): Promise<number> {
  const scenarios = select(process.argv.slice(2));
  const machine = describeMachine();
  process.stdout.write(`${machineLine(machine)}\n\n`);
  let failed = 0;
  for (const scenario of scenarios) {
    const started = performance.now();
    const machineAtStart = describeMachine();
    process.stdout.write(`== ${scenario.name}: ${scenario.title}\n`);
    try {
      const body = await withTimeout(
        scenario.run((line) => process.stdout.write(`${line}\n`)),
        scenario.timeoutMs,
        scenario.name,
      );
      const section = `## ${scenario.title}\n\n${machineLine(machineAtStart)}\n\n${body}`;
      process.stdout.write(`\n${section}\n\n`);
      writeSection(scenario.name, section, ORDER);
      process.stdout.write(`(${scenario.name}: ${Math.round((performance.now() - started) / 1000)} s; section written to ${RESULTS_PATH})\n\n`);
    } catch (err) {
      failed++;
      process.stderr.write(`\n${scenario.name} FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n\n`);
    } finally {
      // Nothing a scenario started outlives it.
      await stopAll();
    }
  }
  return failed === 0 ? 0 : 1;
}

const interrupt = (signal: NodeJS.Signals) => {
  process.stderr.write(`\n${signal}: stopping child processes\n`);
  stopAll().finally(() => process.exit(130));
};
process.once('SIGINT', interrupt);
process.once('SIGTERM', interrupt);
process.on('exit', killAllNow);

main().then(
  async (code) => {
    await stopAll();
    // In-process gateways and autocannon may leave handles; the work is done.
    process.exit(code);
  },
  async (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll();
    process.exit(1);
  },
);
