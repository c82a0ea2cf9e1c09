/**
 * Composes the peer's supergraph, as its own process (bench/peer/startPeer.ts
 * runs it): Mesh's composer ends the process on a composition error, and its
 * work stays out of the load generator's process.
 *
 * Environment: PEER_FIP_ORIGIN, PEER_BC_ORIGIN (the sandbox origins),
 * PEER_STORE_HASH, PEER_LINK (`batched` | `perItem`), PEER_DIR (where the
 * documents and `supergraph-<link>.graphql` are written), PEER_FIP_API_KEY,
 * PEER_BC_TOKEN. Prints `supergraph <path> <bytes> bytes` when done.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getComposedSchemaFromConfig } from '@graphql-mesh/compose-cli';
import { fetchOpenApiDocument, retypeSkuInAsList } from './openApiDocuments.js';
import { meshComposeConfig } from './meshComposeConfig.js';
import type { PeerLink } from './peerLink.js';

type ComposeLogger = Parameters<typeof getComposedSchemaFromConfig>[1];

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
}

/** Mesh's logger interface, onto stderr; debug only with DEBUG set. */
function stderrLogger(prefix = 'compose'): ComposeLogger {
  const write = (level: string) => (...args: unknown[]) => process.stderr.write(`${prefix} ${level}: ${args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`);
  return {
    log: write('log'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    debug: process.env.DEBUG ? write('debug') : () => {},
    child: (name) => stderrLogger(`${prefix}/${typeof name === 'string' ? name : JSON.stringify(name)}`),
  };
}

async function main(): Promise<void> {
  const fipOrigin = need('PEER_FIP_ORIGIN');
  const bcOrigin = need('PEER_BC_ORIGIN');
  const storeHash = need('PEER_STORE_HASH');
  const dir = need('PEER_DIR');
  const link = need('PEER_LINK');
  if (link !== 'batched' && link !== 'perItem') throw new Error(`PEER_LINK must be batched or perItem, not ${link}`);
  const [fipDoc, bcDoc] = await Promise.all([fetchOpenApiDocument(fipOrigin), fetchOpenApiDocument(bcOrigin)]);
  const fipSource = join(dir, 'finditparts.openapi.json');
  const bcSource = join(dir, `bigcommerce-${link}.openapi.json`);
  writeFileSync(fipSource, JSON.stringify(fipDoc));
  writeFileSync(bcSource, JSON.stringify(link === 'batched' ? retypeSkuInAsList(bcDoc, storeHash) : bcDoc));
  const sdl = await getComposedSchemaFromConfig(
    meshComposeConfig({ fipOrigin, bcOrigin, fipSource, bcSource, storeHash, link: link as PeerLink, fipApiKey: need('PEER_FIP_API_KEY'), bcToken: need('PEER_BC_TOKEN') }),
    stderrLogger(),
  );
  const out = join(dir, `supergraph-${link}.graphql`);
  writeFileSync(out, sdl);
  process.stdout.write(`supergraph ${out} ${Buffer.byteLength(sdl)} bytes\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
