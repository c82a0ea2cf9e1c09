/**
 * graphql-js's `subscribe`, except that every event is executed with a
 * context of its own. graphql-js runs each event of a subscription with the
 * context the operation started with; ours carries request-scoped
 * DataLoaders, which memoise every key they load, so a long-lived
 * `orderUpdated` stream would serve the first part, price and stock it saw
 * for as long as it lives, and keep every one of them in memory. Events are
 * separate reads: each gets fresh loaders (and cache hints) from
 * `forEvent`, while the source stream (the `subscribe` resolver) keeps the
 * operation's context.
 *
 * GraphQL spec, "Subscription" (MapSourceToResponseEvent): each event is
 * executed as its own ExecuteSubscriptionEvent; nothing requires it to share
 * state with the one before.
 */
import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';

type Subscribed = AsyncIterableIterator<ExecutionResult> | ExecutionResult;

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/** `subscribe` for graphql-sse's and graphql-ws's options. */
export function createFreshEventSubscribe<C>(forEvent: (operationContext: C) => C): (args: ExecutionArgs) => Promise<Subscribed> {
  return async (args) => {
    const stream = await createSourceEventStream(args);
    // Errors before the stream (unknown field, a subscribe resolver that threw): an ordinary result.
    if (!isAsyncIterable(stream)) return stream;
    const source = stream[Symbol.asyncIterator]();
    const close = async () => {
      await source.return?.();
    };
    // An iterator, not an async generator: a generator suspended in `await source.next()`
    // could not act on return() until the next event came, and a quiet stream would never
    // unsubscribe. return() here goes straight to the source, as graphql-js's own mapping does.
    const events: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        const step = await source.next();
        if (step.done) return { value: undefined, done: true };
        try {
          const result = await execute({ ...args, rootValue: step.value, contextValue: forEvent(args.contextValue as C) });
          return { value: result, done: false };
        } catch (err) {
          await close();
          throw err;
        }
      },
      async return() {
        await close();
        return { value: undefined, done: true };
      },
      async throw(err: unknown) {
        await close();
        throw err;
      },
      [Symbol.asyncIterator]() {
        return events;
      },
    };
    return events;
  };
}
