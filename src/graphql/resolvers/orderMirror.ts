/**
 * The orders mirror's state and refreshes (schema/orderMirror.graphql):
 * `orderMirror(channel)`, `refreshOrderMirror(input)` (operator, audited by
 * the schema guard) and the `orderMirror(channel)` subscription — the old
 * orders cache's `cached` → `updated` → `done` stream.
 */
import { isMirrorChannel, type MirrorChannel, type OrderChannel } from '../../domain/channelOrders.js';
import type { MirrorState } from '../../mirror/orderMirror.js';
import type { GraphQLContext } from '../context.js';
import { ErrorCode, gatewayError } from '../errors.js';
import type { MutationResolvers, QueryResolvers, SubscriptionResolvers } from '../generated/resolvers.js';

/** The channel of a mirror field: only mirrored channels have one. */
export function mirroredChannel(channel: OrderChannel, argument = 'channel'): MirrorChannel {
  if (!isMirrorChannel(channel)) throw gatewayError(ErrorCode.BAD_USER_INPUT, `${channel} orders are read live from the store: there is no mirror of them (mirrored: SHOPIFY)`, { argument });
  return channel;
}

export const orderMirrorQueries: Pick<QueryResolvers, 'orderMirror'> = {
  orderMirror(_root, { channel }, ctx) {
    ctx.hints.uncacheable = true;
    return ctx.services.mirror.state(mirroredChannel(channel));
  },
};

export const orderMirrorMutations: Pick<MutationResolvers, 'refreshOrderMirror'> = {
  refreshOrderMirror(_root, { input }, ctx: GraphQLContext) {
    ctx.hints.uncacheable = true;
    const channel = mirroredChannel(input.channel, 'input.channel');
    return ctx.services.mirror.refresh(channel, input.mode ?? 'INCREMENTAL', ctx.client.name, ctx.services.jobs.service);
  },
};

export const orderMirrorSubscriptions: Pick<SubscriptionResolvers, 'orderMirror'> = {
  orderMirror: {
    subscribe(_root, { channel }, ctx: GraphQLContext) {
      return ctx.services.mirror.watch(mirroredChannel(channel));
    },
    resolve: (state: MirrorState) => state,
  },
};
