/**
 * The direct path's own rules (src/server/directExecution.ts): which requests
 * it takes, what it writes, and that it stops. Its answers beside Apollo
 * Server's are compared whole in test/integration/directExecution.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parse, type ExecutionResult } from 'graphql';
import { createDirectExecution, directRequest } from '../../src/server/directExecution.js';
import type { PreparedQuery } from '../../src/graphql/compiledExecution.js';
import type { GraphQLContext } from '../../src/graphql/context.js';
import type { LimitRefusal, OperationGuard } from '../../src/graphql/limits/operationGuard.js';
import { ErrorCode } from '../../src/graphql/errors.js';
import type { PlainRequest } from '../../src/server/graphqlHandler.js';

const QUERY = '{ part(id: "1") { id } }';
const post = (body: unknown, contentType = 'application/json'): PlainRequest => ({ method: 'POST', headers: { 'content-type': contentType }, search: '', body });

describe('directRequest', () => {
  it('takes a JSON POST as Apollo reads it, null fields as absent', () => {
    expect(directRequest(post({ query: QUERY }))).toEqual({ query: QUERY, operationName: undefined, variables: undefined });
    expect(directRequest(post({ query: QUERY, operationName: null, variables: null }))).toEqual({ query: QUERY, operationName: undefined, variables: undefined });
    expect(directRequest(post({ query: QUERY, operationName: 'A', variables: { a: 1 } }))).toEqual({ query: QUERY, operationName: 'A', variables: { a: 1 } });
    for (const ct of ['application/json; charset=utf-8', 'Application/JSON', 'application/json;charset="UTF-8"']) expect(directRequest(post({ query: QUERY }, ct))).toBeDefined();
  });

  it("leaves to Apollo whatever it would question: other methods, content types, bodies, extensions", () => {
    const refused: PlainRequest[] = [
      { method: 'GET', headers: { 'content-type': 'application/json' }, search: `query=${encodeURIComponent(QUERY)}`, body: undefined },
      post({ query: QUERY }, 'text/plain'),
      post({ query: QUERY }, 'application/json; charset=latin1'),
      post({ query: QUERY }, 'application/graphql'),
      { method: 'POST', headers: {}, search: '', body: { query: QUERY } },
      post([{ query: QUERY }]),
      post('{"query":"{ a }"}'),
      post({ query: '' }),
      post({ query: 7 }),
      post({ query: QUERY, extensions: {} }),
      post({ query: QUERY, extensions: null }),
      post({ query: QUERY, operationName: 7 }),
      post({ query: QUERY, variables: '{}' }),
      post({ query: QUERY, variables: [1] }),
    ];
    for (const r of refused) expect(directRequest(r), JSON.stringify(r)).toBeUndefined();
  });
});

describe('createDirectExecution', () => {
  const document = parse(QUERY);
  const prepared = { document, operation: document.definitions[0], operationName: null } as unknown as PreparedQuery;
  const result: ExecutionResult = { data: { part: { id: 'UGFydDox' } } };
  const context = (): GraphQLContext => ({ client: { name: 'c', role: 'viewer' }, hints: { minTtlMs: 1, stale: false, uncacheable: false }, charge: {} }) as unknown as GraphQLContext;
  const execution = { prepared: (q: string) => (q === QUERY ? prepared : undefined), runPrepared: async () => result };
  const admitting = (admit: OperationGuard['admit']) => ({ checkShape: () => undefined, admit }) as unknown as OperationGuard;

  it('runs a prepared query after admitting it, and answers undefined for one not prepared', async () => {
    const direct = createDirectExecution({ execution, guard: admitting(async () => ({ ok: true, cost: 3, decision: { allowed: true } as never })), stringifyResult: JSON.stringify });
    const ctx = context();
    expect(await direct.run(post({ query: QUERY }), ctx)).toBe(result);
    expect(ctx.charge).toMatchObject({ cost: 3, admission: { ok: true } });
    expect(ctx.hints.operation).toBe('query');
    expect(await direct.run(post({ query: '{ other }' }), context())).toBeUndefined();
  });

  it("leaves a refusal to Apollo's limits plugin with the admission decided, and a failing budget store undecided", async () => {
    const refusal: LimitRefusal = { code: ErrorCode.RATE_LIMITED, message: 'spent', status: 429 };
    const refusing = createDirectExecution({ execution, guard: admitting(async () => ({ ok: false, refusal })), stringifyResult: JSON.stringify });
    const refused = context();
    expect(await refusing.run(post({ query: QUERY }), refused)).toBeUndefined();
    expect(refused.charge?.admission).toEqual({ ok: false, refusal });
    const failing = createDirectExecution({ execution, guard: admitting(async () => Promise.reject(new Error('store down'))), stringifyResult: JSON.stringify });
    const undecided = context();
    expect(await failing.run(post({ query: QUERY }), undecided)).toBeUndefined();
    expect(undecided.charge?.admission).toBeUndefined();
  });

  it('writes what Apollo writes, marking a stale answer as cacheHintsPlugin does', () => {
    const direct = createDirectExecution({ execution, stringifyResult: JSON.stringify });
    const ctx = context();
    expect(direct.body(result, ctx)).toBe('{"data":{"part":{"id":"UGFydDox"}}}');
    expect(ctx.hints.hadErrors).toBe(false);
    ctx.hints.stale = true;
    expect(direct.body(result, ctx)).toBe('{"data":{"part":{"id":"UGFydDox"}},"extensions":{"stale":true}}');
  });

  it("leaves a run that throws to Apollo, keeping the admission so it is not charged again", async () => {
    const throwing = { ...execution, runPrepared: async () => Promise.reject(new Error('unexpected')) };
    const direct = createDirectExecution({ execution: throwing, guard: admitting(async () => ({ ok: true, cost: 3, decision: { allowed: true } as never })), stringifyResult: JSON.stringify });
    const ctx = context();
    expect(await direct.run(post({ query: QUERY }), ctx)).toBeUndefined();
    expect(ctx.charge?.admission).toMatchObject({ ok: true, cost: 3 });
  });

  it('takes nothing once stopped (Apollo Server is stopping)', async () => {
    const direct = createDirectExecution({ execution, stringifyResult: JSON.stringify });
    expect(await direct.run(post({ query: QUERY }), context())).toBe(result);
    direct.stop();
    expect(await direct.run(post({ query: QUERY }), context())).toBeUndefined();
  });
});
