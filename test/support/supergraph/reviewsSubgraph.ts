/**
 * A tiny second subgraph for the composition tests: a "reviews" service
 * that extends Crossdock's `Product` by `sku` (Federation v2, @apollo/subgraph),
 * served over HTTP on an ephemeral loopback port. Its data is made up from the
 * SKUs it is given; `Product.__resolveReference` answers for any SKU.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createRequire } from 'node:module';

// graphql's CommonJS build: the one @apollo/subgraph and Apollo Server use (vitest.config.ts).
const { parse } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

export const REVIEWS_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

type Review {
  id: ID!
  rating: Int!
  body: String!
}

type Product @key(fields: "sku") {
  sku: String!
  reviews: [Review!]!
  averageRating: Float
}

type Query {
  "The products with the most reviews, as this service knows them (by SKU only)."
  topReviewed(first: Int!): [Product!]!
}
`;

export interface ReviewsSubgraph {
  url: string;
  /** Every `_entities` request the router sent here, with how many representations. */
  entityBatches: number[];
  close(): Promise<void>;
}

export function reviewsFor(sku: string): Array<{ id: string; rating: number; body: string }> {
  const n = [...sku].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 997, 7);
  return Array.from({ length: 1 + (n % 3) }, (_, i) => ({ id: `${sku}-r${i}`, rating: 1 + ((n + i) % 5), body: `review ${i} of ${sku}` }));
}

export async function startReviewsSubgraph(skus: readonly string[]): Promise<ReviewsSubgraph> {
  const entityBatches: number[] = [];
  const product = (sku: string) => {
    const reviews = reviewsFor(sku);
    return { sku, reviews, averageRating: reviews.reduce((s, r) => s + r.rating, 0) / reviews.length };
  };
  const schema = buildSubgraphSchema([
    {
      typeDefs: parse(REVIEWS_SDL),
      resolvers: {
        Query: { topReviewed: (_root: unknown, { first }: { first: number }) => skus.slice(0, first).map(product) },
        Product: { __resolveReference: (ref: { sku: string }) => product(ref.sku) },
      } as never,
    },
  ]);
  const server = new ApolloServer({
    schema,
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      {
        async requestDidStart({ request }) {
          const reps = request.variables?.representations;
          if (Array.isArray(reps)) entityBatches.push(reps.length);
        },
      },
    ],
  });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  return { url, entityBatches, close: () => server.stop() };
}
