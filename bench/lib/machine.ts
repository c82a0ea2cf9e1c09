/** The machine a section's figures came from: date, Node, CPU, cores, memory. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

export interface Machine {
  date: string;
  node: string;
  cpu: string;
  cores: number;
  memoryBytes: number;
  /** 1-minute load average when the scenario started (other work on the machine skews figures). */
  load1: number;
}

export function describeMachine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpu = m[1].trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    node: process.version,
    cpu,
    cores: cpus().length,
    memoryBytes: totalmem(),
    load1: loadavg()[0] ?? 0,
  };
}

export function machineLine(m: Machine): string {
  return `Measured ${m.date} · Node ${m.node} · ${m.cpu} · ${m.cores} cores · ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB RAM · load average ${m.load1.toFixed(1)} at start`;
}
