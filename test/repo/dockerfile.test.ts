/**
 * The production image, built the only way these machines can: the
 * Dockerfile's own steps replayed in a clean directory (test/repo/dockerfileReplay.ts),
 * then the runtime stage started as the image would start it — the sandbox
 * service's command and the gateway's CMD, with the image's ENV — and probed
 * with the image's HEALTHCHECK.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { replayDockerfile, type Replay } from './dockerfileReplay.js';

const root = join(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'crossdock-image-'));
const children: ChildProcess[] = [];
let replay: Replay;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function start(cwd: string, argv: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let text = '';
  const child = spawn(argv[0]!, argv.slice(1), { cwd, env: { PATH: process.env.PATH ?? '', HOME: out, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  children.push(child);
  return { child, output: () => text };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number, output: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} not within ${ms} ms; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

const BETTER_SQLITE3 = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
const ADDON = 'build/Release/better_sqlite3.node';

/**
 * better-sqlite3's addon, handed to the replay as the prebuilt binary a Docker build downloads.
 * Its install script is `prebuild-install || node-gyp rebuild`: with network, `docker build`
 * fetches the release's prebuilt binary for this Node ABI from GitHub; here there is no route
 * there, and compiling SQLite again would cost a minute of CPU for nothing the suite's own
 * `npm ci` has not already shown (the same lock, the same toolchain, the same ABI). So the
 * binary this checkout's install built goes where prebuild-install looks first, its "local
 * prebuilds" folder (prebuild-install's util.js localPrebuild: `npm_config_<package>_local_prebuilds`,
 * file named as the release asset), and the replay takes the path a networked build takes.
 */
function localPrebuild(dir: string): Record<string, string> {
  const { version } = JSON.parse(readFileSync(join(BETTER_SQLITE3, 'package.json'), 'utf8')) as { version: string };
  mkdirSync(dir, { recursive: true });
  const asset = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const tar = spawnSync('tar', ['czf', join(dir, asset), '-C', BETTER_SQLITE3, ADDON], { encoding: 'utf8' });
  if (tar.status !== 0) throw new Error(`packing the addon failed: ${tar.stderr}`);
  return { npm_config_better_sqlite3_local_prebuilds: dir };
}
// Two clean installs and a TypeScript build: about a minute and a half on a quiet two-core machine;
// the bounds leave room for a busy one (each step 15 min, the whole build 25) without letting a hang run on.
beforeAll(async () => {
  replay = await replayDockerfile({
    dockerfile: join(root, 'Dockerfile'),
    context: root,
    outDir: out,
    env: { npm_config_update_notifier: 'false', ...localPrebuild(join(out, 'prebuilds')) },
    timeoutMs: 900_000,
  });
}, 1_500_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await rm(out, { recursive: true, force: true });
}, 300_000);

describe('the Dockerfile, replayed', () => {
  it('runs every step but the two that only mean something inside an image', () => {
    expect(replay.skipped).toHaveLength(2);
    expect(replay.skipped[0]).toMatch(/^deps: apt-get .* system packages/);
    expect(replay.skipped[1]).toMatch(/^runtime: mkdir -p \/data && chown node:node \/data .* ownership/);
    expect(replay.ran).toEqual(expect.arrayContaining([expect.stringMatching(/^build: npm ci /), expect.stringMatching(/^build: npm run build/), expect.stringMatching(/^deps: npm ci --omit=dev/)]));
    expect(replay.final.name).toBe('runtime');
    expect(replay.final.user).toBe('node');
    expect(replay.final.healthcheck).toBeDefined();
  });

  it('the runtime stage holds every runtime dependency in the lock and no dev dependency', () => {
    const app = join(replay.final.root, replay.final.workdir);
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; optional?: boolean }> };
    const entries = Object.entries(lock.packages).filter(([p]) => p.startsWith('node_modules/'));
    const devPresent = entries.filter(([p, e]) => e.dev && existsSync(join(app, p))).map(([p]) => p);
    const runtimeMissing = entries.filter(([p, e]) => !e.dev && !e.optional && !existsSync(join(app, p))).map(([p]) => p);
    expect(devPresent).toEqual([]);
    expect(runtimeMissing).toEqual([]);
    expect(existsSync(join(app, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'vitest'))).toBe(false);
    // npm's own view of the same tree: nothing missing or extraneous for --omit=dev.
    const ls = spawnSync('npm', ['ls', '--omit=dev', '--all'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    expect(ls.status, ls.stderr).toBe(0);
    expect(existsSync(join(app, 'dist', 'main.js'))).toBe(true);
    expect(existsSync(join(app, 'src'))).toBe(false);
    // The addon is the prebuilt one (localPrebuild above), unpacked where better-sqlite3 loads it from.
    const addon = readFileSync(join(app, 'node_modules', 'better-sqlite3', ADDON));
    expect(addon.equals(readFileSync(join(BETTER_SQLITE3, ADDON)))).toBe(true);
  });

  it("starts docker-compose's sandbox and gateway services from it; the HEALTHCHECK passes and a query is answered", async () => {
    const app = join(replay.final.root, replay.final.workdir);
    // What docker-compose.yml runs from this image: the sandbox's command, and the image's CMD for the gateways.
    const compose = parseYaml(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { build?: string; image?: string; command?: string[] }> };
    const fromImage = Object.entries(compose.services).filter(([, s]) => s.build === '.');
    expect(fromImage.map(([n]) => n).sort()).toEqual(['gateway-1', 'gateway-2', 'sandbox']);
    const sandboxCmd = compose.services.sandbox!.command!;
    expect(compose.services['gateway-1']!.command).toBeUndefined();
    const [fipPort, bcPort, port] = [await freePort(), await freePort(), await freePort()];
    const sandbox = start(app, sandboxCmd, {
      ...replay.final.env,
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_FINDITPARTS_PORT: String(fipPort),
      SANDBOX_BIGCOMMERCE_PORT: String(bcPort),
      SANDBOX_ION_PORT: '0',
      SANDBOX_SHOPIFY_PORT: '0',
      SANDBOX_TIKTOK_PORT: '0',
      SANDBOX_WHATSAPP_PORT: '0',
      SANDBOX_PARTS: '200',
    });
    await until('sandbox ready', async () => (sandbox.output().includes('sandbox ready') ? true : undefined), 30_000, sandbox.output);

    const key = randomBytes(24).toString('hex');
    const env: Record<string, string> = {
      ...replay.final.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      CROSSDOCK_DATA_DIR: join(out, 'data'),
      CROSSDOCK_API_KEYS: `ops:admin:${key}`,
      FINDITPARTS_BASE_URL: `http://127.0.0.1:${fipPort}/api/v1`,
      FINDITPARTS_CLIENT_ID: 'sandbox-client',
      FINDITPARTS_CLIENT_SECRET: 'sandbox-secret',
      BIGCOMMERCE_API_URL: `http://127.0.0.1:${bcPort}/stores/sandbox`,
      BIGCOMMERCE_ACCESS_TOKEN: 'sandbox-token',
    };
    expect(env.NODE_ENV).toBe('production');
    const gateway = start(app, replay.final.cmd!, env);
    const health = replay.final.healthcheck!;
    await until(
      'HEALTHCHECK passing',
      async () => (spawnSync(health[0]!, health.slice(1), { cwd: app, env: { ...process.env, ...env }, timeout: 5_000 }).status === 0 ? true : undefined),
      30_000,
      gateway.output,
    );

    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query: '{ parts(ids: ["1", "2"]) { id partNumber } }' }),
    });
    const body = (await res.json()) as { data?: { parts: Array<{ partNumber: string } | null> }; errors?: unknown };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.data?.parts.filter(Boolean).length).toBe(2);
    // The dashboard's page and files come from the image's own dist/ and node_modules.
    for (const path of ['/dashboard', '/dashboard/dashboard.js', '/dashboard/assets/uPlot.js', '/dashboard/assets/graphql-sse.js']) {
      expect((await fetch(`http://127.0.0.1:${port}${path}`)).status, path).toBe(200);
    }

    // SIGTERM drains both (what `docker stop` sends).
    gateway.child.kill('SIGTERM');
    sandbox.child.kill('SIGTERM');
    expect(await exitOf(gateway.child)).toBe(0);
    expect(await exitOf(sandbox.child)).toBe(0);
  }, 90_000);
});
