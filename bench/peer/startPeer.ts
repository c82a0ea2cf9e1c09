/**
 * The peer in the throughput benchmark: Hive Gateway (`@graphql-hive/gateway`,
 * its `hive-gateway supergraph` command) serving a supergraph that GraphQL Mesh
 * composed from the sandbox's two OpenAPI documents, the way a team would put
 * these REST APIs behind a gateway today. Composition runs first, as its own
 * process (composeSupergraph.ts), at bench time: the supergraph names the
 * sandbox's ephemeral origins.
 *
 * Hive Gateway runs with its production defaults (`NODE_ENV=production`, its
 * default log level) and one process (`--fork 1`, its default, said out loud:
 * the gateway under comparison is one process too).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { waitForOk } from '../lib/http.js';
import { freePort, spawnNode, type NodeChild } from '../lib/proc.js';
import type { PeerLink } from './peerLink.js';

export interface PeerOptions {
  link: PeerLink;
  fipOrigin: string;
  bcOrigin: string;
  storeHash: string;
  fipApiKey: string;
  bcToken: string;
  /** Where the documents, the supergraph and the logs go. */
  dir: string;
  /** Extra node flags for the gateway (e.g. `--cpu-prof`). @default none */
  nodeFlags?: string[];
}

export interface PeerProcess {
  child: NodeChild;
  /** e.g. http://127.0.0.1:P/graphql */
  url: string;
  supergraphFile: string;
  supergraphBytes: number;
  composeMs: number;
  logFile: string;
  version: string;
}

const require = createRequire(import.meta.url);

/** The peer's packages live in bench/peer/node_modules (its own package.json and lock): installed on first use. */
function ensurePeerInstalled(): void {
  const res = spawnSync(process.execPath, [join(import.meta.dirname, 'installPeer.mjs')], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 660_000 });
  if (res.status !== 0) throw new Error('the benchmark peer could not be installed (bench/peer/installPeer.mjs)');
}

function hiveGatewayBin(): { path: string; version: string } {
  const pkgPath = require.resolve('@graphql-hive/gateway/package.json');
  const pkg = require(pkgPath) as { version: string; bin: Record<string, string> };
  const bin = pkg.bin['hive-gateway'];
  if (!bin) throw new Error('@graphql-hive/gateway has no hive-gateway bin');
  return { path: join(dirname(pkgPath), bin), version: pkg.version };
}

export async function startPeer(o: PeerOptions): Promise<PeerProcess> {
  const label = `Hive Gateway (${o.link})`;
  ensurePeerInstalled();
  const started = performance.now();
  const composer = spawnNode({
    script: 'bench/peer/composeSupergraph.ts',
    label: `Mesh compose (${o.link})`,
    env: {
      PEER_FIP_ORIGIN: o.fipOrigin,
      PEER_BC_ORIGIN: o.bcOrigin,
      PEER_STORE_HASH: o.storeHash,
      PEER_LINK: o.link,
      PEER_DIR: o.dir,
      PEER_FIP_API_KEY: o.fipApiKey,
      PEER_BC_TOKEN: o.bcToken,
    },
  });
  const m = await composer.waitFor(/^supergraph (\S+) (\d+) bytes$/m, 120_000);
  await composer.exited;
  const composeMs = performance.now() - started;
  const supergraphFile = m[1] as string;

  const port = await freePort();
  const bin = hiveGatewayBin();
  const logFile = join(o.dir, `hive-gateway-${o.link}.log`);
  const child = spawnNode({
    script: bin.path,
    tsx: false,
    label,
    nodeFlags: o.nodeFlags,
    args: ['supergraph', supergraphFile, '--host', '127.0.0.1', '--port', String(port), '--fork', '1'],
    // Only what the command line says: none of the caller's HOST, PORT, FORK, CONFIG_PATH… (commander reads them).
    env: { NODE_ENV: 'production', HOST: undefined, PORT: undefined, FORK: undefined, CONFIG_PATH: undefined, POLLING: undefined, JIT: undefined },
    logFile,
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForOk(`${base}/readiness`, 60_000, () => child.child.exitCode === null);
  } catch (err) {
    throw new Error(`${label}: ${err instanceof Error ? err.message : String(err)}\n${child.output().split('\n').slice(-25).join('\n')}`);
  }
  return { child, url: `${base}/graphql`, supergraphFile, supergraphBytes: Number(m[2]), composeMs, logFile, version: bin.version };
}
