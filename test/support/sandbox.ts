/**
 * Starts a sandbox on ephemeral loopback ports for one test file, and small
 * helpers to read its stats and set its faults over real HTTP.
 */
import { createSandbox, type Sandbox } from '../../src/sandbox/createSandbox.js';
import type { SandboxOptionsInput } from '../../src/sandbox/options.js';
import type { FaultSpecInput } from '../../src/sandbox/common/faults.js';
import type { StatsSnapshot } from '../../src/sandbox/common/stats.js';

export async function startSandbox(input: SandboxOptionsInput = {}): Promise<Sandbox> {
  return createSandbox({
    ...input,
    host: '127.0.0.1',
    finditparts: { ...input.finditparts, port: 0 },
    bigcommerce: { ...input.bigcommerce, port: 0 },
    ion: { ...input.ion, port: 0 },
    shopify: { ...input.shopify, port: 0 },
  });
}

export async function sandboxStats(originUrl: string): Promise<StatsSnapshot> {
  const res = await fetch(`${originUrl}/__sandbox/stats`);
  if (!res.ok) throw new Error(`stats: HTTP ${res.status}`);
  return (await res.json()) as StatsSnapshot;
}

export async function setFaults(originUrl: string, spec: FaultSpecInput): Promise<void> {
  const res = await fetch(`${originUrl}/__sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  if (!res.ok) throw new Error(`faults: HTTP ${res.status} ${await res.text()}`);
}

export async function resetSandbox(originUrl: string, data = false): Promise<void> {
  const res = await fetch(`${originUrl}/__sandbox/reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ data }),
  });
  if (!res.ok) throw new Error(`reset: HTTP ${res.status}`);
}
