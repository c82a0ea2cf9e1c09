import { describe, expect, it } from 'vitest';
import { decimalFromNumber, fromUnits, normalizeDecimal, sameAmount, toUnits } from '../../src/domain/money.js';

describe('money', () => {
  it('keeps amounts exact as decimal strings', () => {
    expect(normalizeDecimal('12.3')).toBe('12.30');
    expect(normalizeDecimal('336.3200')).toBe('336.32');
    expect(normalizeDecimal('12.345')).toBe('12.345');
    expect(normalizeDecimal('1e3')).toBeUndefined();
    expect(decimalFromNumber(0.1 + 0.2)).toBe('0.30');
    expect(decimalFromNumber(12.339999999)).toBe('12.34');
    expect(sameAmount('12.3', '12.3000')).toBe(true);
    expect(fromUnits(toUnits('19.99') * 3n)).toBe('59.97');
  });
});
