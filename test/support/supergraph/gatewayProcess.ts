/**
 * Starts the supergraph gateway (gatewayMain.mjs) as its own process and
 * waits for it to serve; bounded in time, and always killed on stop (or,
 * as a last resort, when the test process exits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SubgraphEndpoint {
  name: string;
  /** The subgraph's GraphQL endpoint (…/graphql). */
  url: string;
  /** Sent as X-API-Key on every request to this subgraph. */
  apiKey?: string;
  /** Compose from this SDL file instead of the live `_service { sdl }`. */
  sdlFile?: string;
}

export interface SupergraphProcess {
  url: string;
  gql<T>(query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./gatewayMain.mjs', import.meta.url));
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Resolves with the running gateway, or rejects with what it printed when it did not start (a composition error). */
export async function startSupergraph(subgraphs: SubgraphEndpoint[], timeoutMs = 30_000): Promise<SupergraphProcess> {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, SUPERGRAPH_SUBGRAPHS: JSON.stringify(subgraphs) }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => children.delete(child));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`supergraph gateway did not start in ${timeoutMs} ms: ${err.slice(0, 4000)}`)), timeoutMs);
    const check = () => {
      const m = /SUPERGRAPH READY (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`supergraph gateway exited before serving:\n${err.slice(0, 4000)}`));
    });
  });
  return {
    url,
    async gql<T>(query: string, variables?: Record<string, unknown>) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(20_000),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
