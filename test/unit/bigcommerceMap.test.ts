/**
 * BigCommerce wire → domain (src/upstreams/bigcommerce/map.ts): money keeps
 * the currency it is in, and a price that is not a number is never zero.
 */
import { describe, expect, it } from 'vitest';
import { mapOrder, mapOrderLine, mapProduct } from '../../src/connectors/bigcommerce/map.js';
import type { BcV2Order, BcV2OrderProduct, BcV3Product } from '../../src/connectors/bigcommerce/wire.js';

const product = (price: unknown): BcV3Product => ({ id: 7, name: 'Brake pad', type: 'physical', sku: 'BP-7', price: price as number });
const order = (extra: Partial<BcV2Order> & Record<string, unknown> = {}): BcV2Order => ({
  id: 100,
  status_id: 11,
  subtotal_ex_tax: '10.0000',
  total_inc_tax: '12.1000',
  ...extra,
});
const line = (extra: Partial<BcV2OrderProduct> = {}): BcV2OrderProduct => ({ id: 1, order_id: 100, name: 'Brake pad', sku: 'BP-7', quantity: 2, price_ex_tax: '5.0000', total_ex_tax: '10.0000', ...extra });

describe('store product prices', () => {
  it("are in the store's currency", () => {
    expect(mapProduct(product(12.5), 'EUR').price).toEqual({ amount: '12.50', currency: 'EUR' });
  });

  it('are missing, never 0.00, when the store sent something that is not a number', () => {
    for (const bad of ['n/a', null, undefined, Number.POSITIVE_INFINITY, Number.NaN, {}]) {
      expect(mapProduct(product(bad), 'USD').price, String(bad)).toBeNull();
    }
  });
});

describe('store orders', () => {
  it("are in the order's transactional currency (default_currency_code), not the display currency", () => {
    // BigCommerce Orders v2: currency_code is the display currency; default_currency_code is the one the shopper pays in.
    const o = mapOrder(order({ currency_code: 'GBP', default_currency_code: 'EUR' } as Partial<BcV2Order>), 'USD');
    expect(o.currency).toBe('EUR');
    expect(o.total).toEqual({ amount: '12.10', currency: 'EUR' });
    expect(o.subtotal).toEqual({ amount: '10.00', currency: 'EUR' });
  });

  it("fall back to the store's currency when the order names none", () => {
    expect(mapOrder(order(), 'CAD').total?.currency).toBe('CAD');
  });

  it("lines carry their order's currency", () => {
    const l = mapOrderLine(line(), 'EUR');
    expect(l.unitPrice).toEqual({ amount: '5.00', currency: 'EUR' });
    expect(l.total).toEqual({ amount: '10.00', currency: 'EUR' });
  });

  it('amounts that are not decimals are missing, never 0.00', () => {
    const o = mapOrder(order({ total_inc_tax: 'twelve', subtotal_ex_tax: undefined }), 'USD');
    expect(o.total).toBeNull();
    expect(o.subtotal).toBeNull();
    const l = mapOrderLine(line({ price_ex_tax: '', base_price: undefined, total_ex_tax: 'x' }), 'USD');
    expect(l.unitPrice).toBeNull();
    expect(l.total).toBeNull();
  });
});
