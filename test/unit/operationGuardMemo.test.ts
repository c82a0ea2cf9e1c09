/**
 * The operation guard's per-document work (src/graphql/limits/operationGuard.ts,
 * issue 13): Apollo hands the guard the same parsed document for every
 * request of one query text (its document store), so the shape checks and
 * the introspection check run once per document, not once per request; the
 * answers are the same every time. (The cost depends on the variables and is
 * estimated for every request.)
 */
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { createClientBudgets } from '../../src/limits/clientBudgets.js';
import { createOperationGuard } from '../../src/graphql/limits/operationGuard.js';
import { buildSchema } from '../../src/graphql/schema.js';

const calls = vi.hoisted(() => ({ shape: 0, introspection: 0 }));
vi.mock('../../src/graphql/limits/queryLimits.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/graphql/limits/queryLimits.js')>();
  return {
    ...original,
    checkShape: (...args: Parameters<typeof original.checkShape>) => {
      calls.shape++;
      return original.checkShape(...args);
    },
    usesIntrospection: (...args: Parameters<typeof original.usesIntrospection>) => {
      calls.introspection++;
      return original.usesIntrospection(...args);
    },
  };
});

const { parse } = createRequire(import.meta.url)('graphql') as typeof import('graphql');
const schema = buildSchema();
const guard = () =>
  createOperationGuard({
    schema,
    budgets: createClientBudgets({ points: 1_000_000 }),
    maxDepth: 4,
    maxAliases: 30,
    maxDirectives: 50,
    maxTokens: 5000,
    maxCost: 5000,
    introspection: { enabled: false, roles: ['admin'] },
  });
const viewer = { name: 'storefront', role: 'viewer' as const };

describe('operation guard, per document', () => {
  it('checks a document\'s shape once however many requests bring it, with the same answer', () => {
    const g = guard();
    const ok = parse('query P($ids: [ID!]!) { parts(ids: $ids) { id storeProduct { sku } } }');
    const deep = parse('{ part(id: "1") { storeProduct { supplierPart { storeProduct { supplierPart { id } } } } } }');
    calls.shape = 0;
    for (let i = 0; i < 5; i++) {
      expect(g.checkShape(ok)).toBeUndefined();
      expect(g.checkShape(deep)).toMatchObject({ code: 'QUERY_TOO_COMPLEX', details: { limit: 'depth', max: 4 } });
    }
    expect(calls.shape).toBe(2);
  });

  it('asks whether an operation introspects once, and still refuses it to every viewer request', async () => {
    const g = guard();
    const doc = parse('query P($ids: [ID!]!) { parts(ids: $ids) { id } }');
    const intro = parse('{ __schema { queryType { name } } }');
    calls.introspection = 0;
    for (let i = 0; i < 5; i++) {
      const admitted = await g.admit(viewer, doc, 'P', { ids: Array.from({ length: i + 1 }, (_, k) => String(k + 1)) });
      // The cost follows the variables every time.
      expect(admitted).toMatchObject({ ok: true, cost: 1 + (i + 1) });
      expect(await g.admit(viewer, intro, undefined, {})).toMatchObject({ ok: false, refusal: { code: 'FORBIDDEN' } });
      expect(await g.admit({ name: 'ops', role: 'admin' }, intro, undefined, {})).toMatchObject({ ok: true });
    }
    expect(calls.introspection).toBe(2);
  });
});
