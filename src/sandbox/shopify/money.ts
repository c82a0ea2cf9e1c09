/**
 * Money on the simulated shop's wire. Amounts are kept in minor units
 * (cents) and written as decimal strings, never floats (upstreams.md:
 * "amount a string"). The two APIs spell the same amount differently, as the
 * vendor's do: the GraphQL Admin API's `Decimal` drops trailing zeros but
 * keeps one decimal (`"12.3"`, `"12.0"`), the REST order JSON of a webhook
 * body always has two (`"12.30"`). A reader that assumes two decimals, or
 * parses a float, is caught here.
 */

/** `1230` → `"12.3"`; `1200` → `"12.0"`; `1234` → `"12.34"`. */
export function graphqlAmount(cents: number): string {
  const fixed = restAmount(cents);
  return fixed.endsWith('0') ? fixed.slice(0, -1) : fixed;
}

/** `1230` → `"12.30"`. */
export function restAmount(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`not a whole number of minor units: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
