/**
 * Values every answer recomputes (issue 13): a part's global id and each
 * Decimal amount are serialised for every field of every answer. A global id
 * is encoded once per local id; an amount that is already in normal form
 * (what the connectors store) is passed through without being rebuilt. The
 * values are exactly what the full computation gives.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { normalizeDecimal } from '../../src/domain/money.js';
import { decodeGlobalId, toGlobalId } from '../../src/graphql/ids.js';

afterEach(() => vi.restoreAllMocks());

describe('global ids', () => {
  it('are base64url of "Type:localId", encoded once per id', () => {
    const from = vi.spyOn(Buffer, 'from');
    const first = toGlobalId('Part', '4242');
    for (let i = 0; i < 10; i++) expect(toGlobalId('Part', '4242')).toBe(first);
    expect(first).toBe(Buffer.from('Part:4242').toString('base64url'));
    // The spy saw the line above too.
    expect(from).toHaveBeenCalledTimes(2);
    expect(toGlobalId('Product', '4242')).toBe(Buffer.from('Product:4242').toString('base64url'));
    expect(decodeGlobalId(first)).toEqual({ type: 'Part', localId: '4242' });
  });

  it('stay right for many ids (the memo is bounded and keeps answering the same)', () => {
    for (let i = 1; i <= 30_000; i++) {
      const id = String(i * 7);
      expect(toGlobalId('Order', id)).toBe(Buffer.from(`Order:${id}`).toString('base64url'));
    }
  });
});

describe('normalizeDecimal', () => {
  it('passes an amount already in normal form through untouched', () => {
    const split = vi.spyOn(String.prototype, 'split');
    for (const a of ['12.30', '0.00', '-5.25', '336.32', '12.345', '999999999999999.99', '1.123456']) expect(normalizeDecimal(a)).toBe(a);
    expect(split).not.toHaveBeenCalled();
  });

  it('normalises everything else as before', () => {
    const cases: Array<[string, string | undefined]> = [
      ['12.3', '12.30'], ['336.3200', '336.32'], ['12', '12.00'], [' 7.5 ', '7.50'], ['12.340', '12.34'], ['-0.10', '-0.10'],
      ['1.123450', '1.12345'], ['1e3', undefined], ['12.', undefined], ['.5', undefined], ['1.1234567', undefined], ['', undefined],
      ['1234567890123456.00', undefined], ['12.30 ', '12.30'],
    ];
    for (const [input, out] of cases) expect(normalizeDecimal(input), input).toBe(out);
  });
});
