/**
 * Prices as people write them in captions: a symbol or ISO 4217 code before
 * or after the amount (`$19.99`, `€5`, `19,99 €`, `USD 25`, `25 USD`), or a
 * word for the currency (`25 bucks`, `20 euros`, `300 pesos`), with either
 * decimal separator (`19,99` and `19.99`) and thousands separators
 * (`1,299.00`, `1.299,00`, `1 299,00` with a no-break space). A number with
 * no currency marker (`50% off`, `12V`, a part number's digits) is not a
 * price. Amounts are exact decimals with two fraction digits (money.ts).
 */
import type { CaptionPrice } from './captionAnalyzer.js';

/** Markers written before the amount. Longest first, so `US$` wins over `$`. */
const PREFIX: ReadonlyArray<readonly [string, string]> = [
  ['US$', 'USD'], ['CA$', 'CAD'], ['AU$', 'AUD'], ['MX$', 'MXN'], ['C$', 'CAD'], ['A$', 'AUD'], ['R$', 'BRL'],
  ['USD', 'USD'], ['EUR', 'EUR'], ['GBP', 'GBP'], ['CAD', 'CAD'], ['AUD', 'AUD'], ['MXN', 'MXN'], ['BRL', 'BRL'], ['JPY', 'JPY'], ['INR', 'INR'], ['KRW', 'KRW'], ['PLN', 'PLN'],
  ['$', 'USD'], ['€', 'EUR'], ['£', 'GBP'], ['¥', 'JPY'], ['₹', 'INR'], ['₩', 'KRW'],
];

/** Markers written after the amount (symbols, codes and words), longest first. */
const SUFFIX: ReadonlyArray<readonly [string, string]> = [
  ['dollars', 'USD'], ['dollar', 'USD'], ['dólares', 'USD'], ['dolares', 'USD'], ['bucks', 'USD'], ['euros', 'EUR'], ['euro', 'EUR'], ['quid', 'GBP'],
  ['pesos', 'MXN'], ['reais', 'BRL'], ['yen', 'JPY'], ['rupees', 'INR'],
  ['USD', 'USD'], ['EUR', 'EUR'], ['GBP', 'GBP'], ['CAD', 'CAD'], ['AUD', 'AUD'], ['MXN', 'MXN'], ['BRL', 'BRL'], ['JPY', 'JPY'], ['INR', 'INR'], ['KRW', 'KRW'], ['PLN', 'PLN'],
  ['zł', 'PLN'], ['€', 'EUR'], ['$', 'USD'], ['£', 'GBP'], ['¥', 'JPY'], ['円', 'JPY'], ['₹', 'INR'], ['₩', 'KRW'],
];

const escape = (s: string) => s.replace(/[$.*+?^(){}|[\]\\]/g, '\\$&');
const isWordMarker = (m: string) => /^[\p{L}]+$/u.test(m);
/** A letter marker (a code or word) must stand alone: `USD` but not `USDT`, `euro` but not `europe`. */
const marker = (m: string, side: 'before' | 'after') =>
  isWordMarker(m) ? (side === 'before' ? `(?<![\\p{L}])${escape(m)}` : `${escape(m)}(?![\\p{L}])`) : escape(m);

// Thousands groups use `.`, `,`, a space or a no-break space (U+00A0, U+202F: French and German typography);
// the decimal part is 1–2 digits.
const NUMBER = String.raw`\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?`;
// Not a price: digits glued to a letter, a code's dash, another number, or a hashtag (BX-1234567, #2024).
const NOT_AFTER = String.raw`(?<![\p{L}\p{N}\-/.,#@])`;
const NOT_BEFORE = String.raw`(?![\p{N}]|[.,]\d)`;

const prefixAlternatives = PREFIX.map(([m]) => marker(m, 'before')).join('|');
const suffixAlternatives = SUFFIX.map(([m]) => marker(m, 'after')).join('|');
// `$` after an amount must not open another amount (`12 $15` is 12 then $15).
const PRICE = new RegExp(
  String.raw`(?<pre>${prefixAlternatives})[ \u00a0]?(?<n1>${NUMBER})${NOT_BEFORE}|${NOT_AFTER}(?<n2>${NUMBER})${NOT_BEFORE}[ \u00a0]?(?<post>${suffixAlternatives})(?![ \u00a0]?\d)`,
  'gu',
);

const currencyOf = (table: ReadonlyArray<readonly [string, string]>, text: string): string | null => {
  const lower = text.toLowerCase();
  return table.find(([m]) => (isWordMarker(m) ? m.toLowerCase() === lower : m === text))?.[1] ?? null;
};

/**
 * A written number as an exact decimal with two fraction digits: the last
 * `.` or `,` followed by one or two digits is the decimal separator; every
 * other separator groups thousands.
 */
export function parseAmount(raw: string): string | undefined {
  const compact = raw.replace(/[\u00a0\u202f ]/g, '');
  const decimal = /[.,](\d{1,2})$/.exec(compact);
  const whole = (decimal ? compact.slice(0, decimal.index) : compact).replace(/[.,]/g, '');
  if (!/^\d{1,12}$/.test(whole)) return undefined;
  const frac = (decimal?.[1] ?? '').padEnd(2, '0');
  return `${BigInt(whole).toString()}.${frac}`;
}

/** Every price in the text, in order, with the span each was read from. */
export function findPrices(text: string): Array<CaptionPrice & { index: number; length: number }> {
  const out: Array<CaptionPrice & { index: number; length: number }> = [];
  // A link's `?x=$5` is not a price: links are blanked first (same length, so spans stay where they were).
  const searched = text.replace(/\bhttps?:\/\/\S+/gi, (url) => ' '.repeat(url.length));
  for (const m of searched.matchAll(PRICE)) {
    const g = m.groups ?? {};
    const number = g.n1 ?? g.n2;
    const mark = g.pre ?? g.post;
    if (!number || !mark) continue;
    const amount = parseAmount(number);
    if (amount === undefined) continue;
    const currency = g.pre ? currencyOf(PREFIX, mark) : currencyOf(SUFFIX, mark);
    out.push({ amount, currency, text: m[0], index: m.index ?? 0, length: m[0].length });
  }
  return out;
}
