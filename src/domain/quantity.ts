/**
 * Stock quantities as exact decimals (an ERP counts kilograms and metres as
 * well as pieces): parsed and summed as scaled integers, never as binary
 * floats, and turned into whole sellable units only where the graph needs a
 * count.
 */

/** Fraction digits kept (M3 answers quantities with six). */
const SCALE = 6;
const FACTOR = 10n ** BigInt(SCALE);
const QUANTITY = /^-?\d{1,15}(\.\d{1,6})?$/;

/** The canonical form of a decimal quantity ("12.500000" → "12.5", "-0" → "0"); undefined when it is not one. */
export function normalizeQuantity(raw: string): string | undefined {
  const s = raw.trim();
  if (!QUANTITY.test(s)) return undefined;
  return fromScaled(toScaled(s));
}

function toScaled(s: string): bigint {
  const negative = s.startsWith('-');
  const [whole = '0', frac = ''] = s.replace('-', '').split('.');
  const units = BigInt(whole) * FACTOR + BigInt(frac.padEnd(SCALE, '0'));
  return negative ? -units : units;
}

function fromScaled(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const frac = (abs % FACTOR).toString().padStart(SCALE, '0').replace(/0+$/, '');
  const text = `${abs / FACTOR}${frac ? `.${frac}` : ''}`;
  return negative && text !== '0' ? `-${text}` : text;
}

/** The exact sum of decimal quantities (each already normalised). */
export function sumQuantities(values: readonly string[]): string {
  return fromScaled(values.reduce((sum, v) => sum + toScaled(v), 0n));
}

/** Whole units of a decimal quantity, rounded down (a fraction of a unit cannot be sold). */
export function wholeUnits(quantity: string): number {
  const units = toScaled(quantity.trim());
  const whole = units / FACTOR;
  return Number(units < 0n && units % FACTOR !== 0n ? whole - 1n : whole);
}
