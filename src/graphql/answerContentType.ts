/**
 * The content type of a GraphQL answer, by the request's `Accept` header, as
 * Apollo Server chose it for that same header before.
 *
 * Apollo negotiates the type of every single-result answer (runHttpQuery.js:
 * `chooseContentTypeForSingleResultResponse`, Negotiator over
 * application/json and application/graphql-response+json, GraphQL over HTTP
 * §"Accept") unless the response head already has one: a new Negotiator,
 * the header parsed and sorted for every request — about 1 % of an executed
 * query's CPU and 2.5 KiB of its allocations, for the handful of Accept
 * values a gateway's clients ever send. Its pipeline parses the header once
 * more per execution, over multipart types, for the legacy incremental
 * format (requestPipeline.js) — together about 2 % of an executed query's CPU.
 *
 * So the handler (src/server/graphqlHandler.ts) records the type Apollo chose
 * for a header (`learn`, from a 200 answer), and from the next request with
 * that exact header (`known`) the handler shows Apollo an empty Accept
 * header, which its pipeline has nothing to parse in, and puts the type on
 * the answer itself: Apollo takes its no-Accept fast path and parses no
 * header, and the answer carries the type Apollo would have chosen. A header
 * it refuses (406) is never recorded, so it is negotiated, and refused,
 * every time; no header at all is Apollo's own fast path (application/json).
 * Only a GraphQL answer's type is recorded: when Apollo's landing page was
 * on, a browser's GET of /graphql with a query string got it (text/html)
 * for the same Accept header its POSTs send, and those were then labelled
 * text/html; no other 200 may teach a type either.
 */

/** The types Apollo chooses among for a single result (ApolloServer.js `chooseContentTypeForSingleResultResponse`). */
const ANSWER_TYPE = /^application\/(json|graphql-response\+json)\b/;

/** Distinct Accept values kept (past it the memo starts over): clients send a few; anything beyond is noise. */
const MAX_ACCEPT_VALUES = 64;

export interface AnswerContentTypes {
  /** The type Apollo chose for this exact Accept header before, if it did. */
  known(accept: string | undefined): string | undefined;
  /** Records the type Apollo chose for `accept` (a 200 single-result answer). */
  learn(accept: string | undefined, contentType: string | undefined): void;
}

export function createAnswerContentTypes(): AnswerContentTypes {
  const byAccept = new Map<string, string>();
  return {
    known(accept) {
      return accept ? byAccept.get(accept) : undefined;
    },
    learn(accept, contentType) {
      if (!accept || !contentType || !ANSWER_TYPE.test(contentType) || byAccept.has(accept)) return;
      if (byAccept.size >= MAX_ACCEPT_VALUES) byAccept.clear();
      byAccept.set(accept, contentType);
    },
  };
}
