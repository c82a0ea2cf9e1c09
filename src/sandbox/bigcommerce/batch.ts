/**
 * Batch writes (`PUT /v3/catalog/products`, `PUT /v3/catalog/variants`): the
 * size limit answered 413, and the answer for an all-good, partly-good or
 * all-bad batch.
 *
 * The 207 shape is the sandbox's reading of the vendor's `MultiStatus`
 * schema (upstreams.md: "partial success is 207 `{data:[…], errors:{…}, meta}`"):
 *
 *   207 {
 *     data:   [ …every item that was applied… ],
 *     errors: { status: 207, title, type, errors: { "<item id>": "<why it failed>" } },
 *     meta:   { total: <items sent>, success: <applied>, failed: <rejected> }
 *   }
 *
 * Items are applied independently (a failing item does not undo the others).
 * When no item could be applied the answer is 422 with the same per-item
 * `errors` map, and when all were applied it is 200 `{data, meta:{}}`.
 */
import type { FastifyReply } from 'fastify';
import { V3_ERROR_TYPE, v3Error } from './wire.js';

/** The vendor's 413 title for an over-long batch array. */
export function tooManyItemsTitle(max: number): string {
  return `The request payload is too large. The maximum items allowed in the array is ${max}.`;
}

/**
 * Checks the body is an array of at most `max` items; answers 422 or 413 and
 * returns undefined when it is not.
 */
export function batchItems(body: unknown, max: number, reply: FastifyReply): unknown[] | undefined {
  if (!Array.isArray(body)) {
    void reply.code(422).send(v3Error(422, 'JSON data is missing or invalid', { body: 'expected an array of objects' }));
    return undefined;
  }
  if (body.length > max) {
    void reply.code(413).send(v3Error(413, tooManyItemsTitle(max)));
    return undefined;
  }
  if (body.length === 0) {
    void reply.code(422).send(v3Error(422, 'JSON data is missing or invalid', { body: 'at least one item is required' }));
    return undefined;
  }
  return body;
}

export interface BatchOutcome<T> {
  data: T[];
  /** Per failing item, keyed by the item's `id` (or `[index]` when it had none). */
  failures: Record<string, string>;
}

export function sendBatch<T>(reply: FastifyReply, sent: number, outcome: BatchOutcome<T>): FastifyReply {
  const failed = Object.keys(outcome.failures).length;
  if (failed === 0) return reply.code(200).send({ data: outcome.data, meta: {} });
  if (outcome.data.length === 0) {
    return reply.code(422).send(v3Error(422, 'None of the items in the batch could be updated.', outcome.failures));
  }
  return reply.code(207).send({
    data: outcome.data,
    errors: {
      status: 207,
      title: 'Some of the items in the batch could not be updated.',
      type: V3_ERROR_TYPE,
      errors: outcome.failures,
    },
    meta: { total: sent, success: outcome.data.length, failed },
  });
}

/** The key a failing item is reported under. */
export function itemKey(item: unknown, index: number): string {
  const id = item !== null && typeof item === 'object' ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isInteger(id) ? String(id) : `[${index}]`;
}
