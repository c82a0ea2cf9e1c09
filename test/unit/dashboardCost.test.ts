/**
 * What the dashboard spends of its key's budget. Its reads are charged like
 * any client's (src/graphql/limits/queryCost.ts), so an operator with the
 * default budget (CLIENT_BUDGET_POINTS, 1,000 per 15 minutes) must be able
 * to open it, act on an order and see the queue again within one window, and
 * an open page must not spend more as time passes with nothing changing.
 */
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/graphql/schema.js';
import { estimateCost } from '../../src/graphql/limits/queryCost.js';
import { loadConfig } from '../../src/config.js';
import { DASHBOARD_DOCUMENTS, DASHBOARD_SCRIPT } from '../../src/server/dashboardScript.js';

const schema = buildSchema();
const cost = (document: string, variables: Record<string, unknown> = {}) => estimateCost(schema, parse(document), { variables });
const budget = loadConfig({}).limits.budgets.points;

describe('the dashboard within a default client budget', () => {
  it('opening it, retrying an order and re-reading the review queue costs less than one default budget', () => {
    const open = cost(DASHBOARD_DOCUMENTS.me) + cost(DASHBOARD_DOCUMENTS.history) + cost(DASHBOARD_DOCUMENTS.snapshot) + cost(DASHBOARD_DOCUMENTS.review) + cost(DASHBOARD_DOCUMENTS.failures);
    const retry = cost('mutation DashboardRetrySupplierOrder($id: ID!) { retrySupplierOrder(id: $id) { id status } }', { id: 'x' });
    const total = open + retry + cost(DASHBOARD_DOCUMENTS.review);
    expect(budget).toBe(1000);
    expect(total, `open ${open} + retry ${retry} + review again`).toBeLessThan(budget);
  });

  it('an open page re-reads nothing on a timer: only when a snapshot shows a change', () => {
    expect(DASHBOARD_SCRIPT).not.toMatch(/setTimeout\(load|setInterval\(/);
  });
});
