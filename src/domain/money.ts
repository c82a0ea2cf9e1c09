/**
 * Money as exact decimals: amounts travel as strings ("12.34"), never as
 * binary floats. Vendors that send JSON numbers (BigCommerce v3 prices) are
 * converted once at the edge.
 */
export interface Money {
  /** Decimal string with at least two fraction digits, e.g. "12.30". */
  amount: string;
  /** ISO 4217 code. */
  currency: string;
}

const DECIMAL = /^-?\d{1,15}(\.\d{1,6})?$/;
/**
 * Already what normalizeDecimal returns: two fraction digits, or up to six
 * whose last is not a 0. Amounts are normalised once at the edge and then
 * serialised in every answer (the Decimal scalar), so most calls are this.
 */
const NORMAL = /^-?\d{1,15}\.\d{2}(?:\d{0,3}[1-9])?$/;

/** Normalises a decimal string to at least two fraction digits; undefined when it is not one. */
export function normalizeDecimal(raw: string): string | undefined {
  if (NORMAL.test(raw)) return raw;
  const s = raw.trim();
  if (!DECIMAL.test(s)) return undefined;
  const [whole = '0', frac = ''] = s.split('.');
  const trimmed = frac.replace(/0+$/, '');
  return `${whole}.${trimmed.padEnd(2, '0')}`;
}

/**
 * A JSON number from a vendor, as a decimal string. Rounds to 4 places (the
 * precision BigCommerce stores), which removes float noise like 12.339999.
 */
export function decimalFromNumber(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  return normalizeDecimal(n.toFixed(4));
}

/** Integer minor units ×10^4 for exact comparison and arithmetic. */
export function toUnits(decimal: string): bigint {
  const norm = normalizeDecimal(decimal);
  if (norm === undefined) throw new RangeError(`not a decimal: ${decimal}`);
  const negative = norm.startsWith('-');
  const [whole = '0', frac = ''] = norm.replace('-', '').split('.');
  const units = BigInt(whole) * 10_000n + BigInt(frac.padEnd(4, '0').slice(0, 4));
  return negative ? -units : units;
}

export function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / 10_000n;
  const frac = (abs % 10_000n).toString().padStart(4, '0');
  return normalizeDecimal(`${negative ? '-' : ''}${whole}.${frac}`) ?? '0.00';
}

export function sameAmount(a: string, b: string): boolean {
  return toUnits(a) === toUnits(b);
}

export function money(amount: string, currency = 'USD'): Money {
  return { amount: normalizeDecimal(amount) ?? amount, currency };
}
