/**
 * A real supergraph gateway from npm, run as its own process by the
 * federation tests: Apollo Gateway (@apollo/gateway) in Apollo Server,
 * composing the subgraphs it is given — live, from each subgraph's
 * `_service { sdl }` (IntrospectAndCompose), or from SDL files
 * (LocalCompose: what a CI composes from `crossdock schema --federation`).
 *
 * Environment:
 *   SUPERGRAPH_SUBGRAPHS  JSON [{ name, url, apiKey?, sdlFile? }]; every subgraph
 *                         with an sdlFile → LocalCompose, else IntrospectAndCompose
 * Each subgraph request carries its apiKey as X-API-Key: the gateway-to-subgraph
 * service key (README, "Federation"). Prints `SUPERGRAPH READY <url>` once it
 * serves; on a composition error prints it to stderr and exits 1.
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, IntrospectAndCompose, LocalCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { parse } from 'graphql';

const subgraphs = JSON.parse(process.env.SUPERGRAPH_SUBGRAPHS ?? '[]');
const keys = new Map(subgraphs.map((s) => [s.name, s.apiKey]));
const local = subgraphs.length > 0 && subgraphs.every((s) => s.sdlFile);

const gateway = new ApolloGateway({
  supergraphSdl: local
    ? new LocalCompose({ localServiceList: subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(readFileSync(s.sdlFile, 'utf8')) })) })
    : new IntrospectAndCompose({ subgraphs: subgraphs.map((s) => ({ name: s.name, url: s.url })) }),
  buildService({ name, url }) {
    return new RemoteGraphQLDataSource({
      url,
      willSendRequest({ request }) {
        const key = keys.get(name);
        if (key) request.http?.headers.set('x-api-key', key);
      },
    });
  },
});

try {
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  process.stdout.write(`SUPERGRAPH READY ${url}\n`);
  const stop = () => server.stop().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (err) {
  process.stderr.write(`SUPERGRAPH FAILED ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  for (const cause of err?.causes ?? []) process.stderr.write(`  ${cause.message}\n`);
  process.exit(1);
}
