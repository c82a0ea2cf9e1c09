/**
 * What a started gateway has loaded before anyone asks it for that work.
 * sharp (libvips) derives product images for social-link drafts only, yet
 * loading it maps libvips and initialises its thread pool and caches: 6 MiB
 * of an idle gateway's RSS (`node dist/main.js`, 137.5 → 131.5 MiB VmRSS),
 * against issue 13's idle bound of 150 MB. It is loaded on the
 * first image to derive instead; test/integration/socialIngest.test.ts
 * derives images through it.
 */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/createSandbox.js';
import { sandboxUpstreamEnv, startGatewayProcess, stopAllGatewayProcesses, type GatewayProcess } from '../support/processes.js';
import { startSandbox } from '../support/sandbox.js';

let sandbox: Sandbox;
let gw: GatewayProcess;

beforeAll(async () => {
  sandbox = await startSandbox({ parts: 20 });
  gw = await startGatewayProcess({ dataDir: mkdtempSync(join(tmpdir(), 'crossdock-footprint-')), env: sandboxUpstreamEnv(sandbox) });
}, 60_000);

afterAll(async () => {
  await stopAllGatewayProcesses();
  await sandbox?.close();
});

describe('a started gateway', () => {
  it('has not loaded sharp (libvips) before an image is to be derived', async () => {
    const { status, body } = await gw.gql<{ data?: { parts: Array<{ id: string } | null> } }>('{ parts(ids: ["1", "2"]) { id } }');
    expect(status).toBe(200);
    expect(body.data?.parts).toHaveLength(2);
    const maps = await readFile(`/proc/${gw.pid}/maps`, 'utf8');
    const vips = maps.split('\n').filter((l) => /libvips|sharp-[a-z0-9-]+\.node/.test(l));
    expect(vips, 'sharp and libvips are mapped into the gateway').toEqual([]);
  });
});
