/**
 * The default caption analyzer: rules, no model. Deterministic — the same
 * caption always gives the same analysis — and cheap enough to run inside
 * the ingest job. Reads prices (prices.ts), hashtags and @mentions (TikTok's
 * own forms: `#` or `@` followed by letters, digits, `_` and, for handles,
 * `.`), calls to action in English, Spanish, Portuguese, French and German,
 * a lexicon sentiment score with negation, part-number-shaped codes and
 * capitalised name phrases for the catalog matcher.
 */
import type { CallToAction, CaptionAnalysis, CaptionAnalyzer } from './captionAnalyzer.js';
import { findPrices } from './prices.js';

const HASHTAG = /(?<![\p{L}\p{N}_&])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)/gu;
// TikTok handles: 2–24 letters, digits, `_` and `.` (not at the end); not an e-mail's `@`.
const MENTION = /(?<![\p{L}\p{N}_.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,22}[A-Za-z0-9_])?)/gu;
const URL = /\bhttps?:\/\/\S+/gi;
const EMOJI = /[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}\u{FE0F}\u{200D}\u{20E3}\u{1F3FB}-\u{1F3FF}]/gu;
// Codes of upper-case letters and digits with a dash or not (BX-1234567, HX12345, ABC-123-X1): at least 3 digits.
const PART_NUMBER = /(?<![\p{L}\p{N}#@_$€£-])([A-Z]{1,5}-?\d{3,10}(?:-[A-Z0-9]{1,6})?)(?![\p{L}\p{N}])/gu;
const NOT_PART_NUMBER = /^(USD|EUR|GBP|CAD|AUD|MXN|BRL|JPY|INR|KRW|PLN)\d/;

/** JavaScript's `\b` is ASCII-only even with the `u` flag ("peça já" has none after "já"): a Unicode word boundary instead. */
const unicodeWords = (re: RegExp) => new RegExp(re.source.replace(/\\b/g, '(?:(?<![\\p{L}\\p{N}])(?=[\\p{L}\\p{N}])|(?<=[\\p{L}\\p{N}])(?![\\p{L}\\p{N}]))'), re.flags);

const CTA_RULES: ReadonlyArray<readonly [CallToAction, RegExp]> = ([
  ['LINK_IN_BIO', /\blink\s+(?:is\s+)?in\s+(?:my\s+|the\s+|our\s+)?bio\b|\blink\s+en\s+(?:mi\s+|la\s+)?bio\b|\blink\s+na\s+bio\b|\blien\s+dans\s+(?:ma\s+|la\s+)?bio\b|\blink\s+in\s+(?:der\s+|meiner\s+)?bio\b/giu],
  ['SHOP_NOW', /\bshop\s+(?:it\s+)?now\b|\bshop\s+today\b|\bcompra\s+ya\b|\bachetez\s+maintenant\b/giu],
  ['DM_TO_ORDER', /\b(?:dm|message|msg|text)\s+(?:me|us)?\s*(?:to|for)\s+(?:order|buy|purchase|pricing|price)\b|\bsend\s+(?:me|us)\s+a\s+dm\b|\bmanda(?:me)?\s+(?:dm|mensaje)\b|\bescr[ií]beme\b|\bschreib\s+mir\b/giu],
  ['BUY_NOW', /\bbuy\s+(?:it\s+|yours\s+)?now\b|\bget\s+yours\b|\bgrab\s+yours\b|\bc[oó]mpralo\b|\bcompra\s+ahora\b|\bjetzt\s+kaufen\b|\bcompre\s+j[aá]\b/giu],
  ['ORDER_NOW', /\border\s+(?:now|today)\b|\bpide\s+(?:ya|ahora)\b|\bjetzt\s+bestellen\b|\bcommandez\b|\bpe[cç]a\s+j[aá]\b/giu],
  ['COMMENT_FOR_LINK', /\bcomment\s+["“'‘]?[\p{L}\p{N}]+["”'’]?\s+(?:for|to\s+get)\s+(?:the\s+)?link\b/giu],
] as Array<[CallToAction, RegExp]>).map(([cta, re]) => [cta, unicodeWords(re)] as const);

/** Lexicon entries (lower case); emoji count as words. */
const POSITIVE = new Set([
  'love', 'loved', 'loving', 'best', 'amazing', 'great', 'awesome', 'perfect', 'excellent', 'recommend', 'recommended', 'happy', 'favorite', 'favourite',
  'quality', 'durable', 'reliable', 'solid', 'fantastic', 'beautiful', 'worth', 'easy', 'works', 'nice', 'good', 'deal', 'wow',
  'increíble', 'increible', 'genial', 'excelente', 'bueno', 'buena', 'encanta', 'ótimo', 'otimo', 'incrível', 'bom', 'boa', 'gut', 'toll', 'super', 'génial', 'parfait',
  '🔥', '😍', '❤', '👍', '💯', '✅', '⭐', '🙌', '👌', '🤩', '💪',
]);
const NEGATIVE = new Set([
  'bad', 'worst', 'broke', 'broken', 'terrible', 'awful', 'hate', 'hated', 'fail', 'failed', 'fails', 'leak', 'leaks', 'leaking', 'junk', 'disappointed',
  'disappointing', 'problem', 'problems', 'scam', 'useless', 'poor', 'cracked', 'rusty', 'waste', 'fake',
  'malo', 'mala', 'horrible', 'roto', 'schlecht', 'kaputt', 'nul', 'ruim',
  '😡', '👎', '😭', '💔', '🤬', '😤',
]);
const NEGATIONS = new Set(['not', 'no', 'never', "don't", 'dont', "isn't", 'isnt', "wasn't", "doesn't", 'doesnt', "didn't", 'nothing', 'nunca', 'nicht', 'kein', 'pas', 'não', 'nao']);

/** Words and emoji, lower case, in order (emoji split off even when glued to a word). */
function tokens(text: string): string[] {
  const spaced = text.replace(/(\p{Extended_Pictographic})/gu, ' $1 ').replace(/[\uFE0F\u200D]/g, '');
  return spaced
    .toLowerCase()
    .split(/[^\p{L}\p{N}'’\p{Extended_Pictographic}]+/u)
    .map((t) => t.replace(/’/g, "'").replace(/^'+|'+$/g, ''))
    .filter(Boolean);
}

/** (positive − negative) / (positive + negative) over the lexicon, a negation within two words before flipping a word. */
export function sentimentOf(text: string): number {
  const words = tokens(text);
  let positive = 0;
  let negative = 0;
  words.forEach((w, i) => {
    const polarity = POSITIVE.has(w) ? 1 : NEGATIVE.has(w) ? -1 : 0;
    if (polarity === 0) return;
    const negated = words.slice(Math.max(0, i - 2), i).some((p) => NEGATIONS.has(p));
    if ((polarity > 0) !== negated) positive++;
    else negative++;
  });
  if (positive + negative === 0) return 0;
  return Math.round(((positive - negative) / (positive + negative)) * 100) / 100;
}

const unique = <T>(items: T[]): T[] => [...new Set(items)];

/** Runs of two or more capitalised words (not codes), e.g. "Heavy Duty Air Brake Chamber". */
function namePhrasesOf(text: string): string[] {
  const phrases: string[] = [];
  for (const segment of text.split(/[.,;:!?¡¿()\[\]"“”|/\n\u2013\u2014]+|\s[-–—]\s/u)) {
    let run: string[] = [];
    const flush = () => {
      if (run.length >= 2) phrases.push(run.join(' '));
      run = [];
    };
    for (const word of segment.trim().split(/\s+/)) {
      const capitalised = /^\p{Lu}[\p{L}'-]*$/u.test(word) && !/\d/.test(word);
      if (capitalised) run.push(word);
      else flush();
    }
    flush();
  }
  return unique(phrases);
}

export function createRuleAnalyzer(): CaptionAnalyzer {
  return {
    name: 'rules',
    analyse(caption: string): CaptionAnalysis {
      const text = caption.normalize('NFC');
      const prices = findPrices(text);
      const hashtags = unique([...text.matchAll(HASHTAG)].map((m) => (m[1] ?? '').toLowerCase()));
      const mentions = unique([...text.matchAll(MENTION)].map((m) => (m[1] ?? '').toLowerCase()));
      const ctaHits: Array<{ cta: CallToAction; index: number; length: number }> = [];
      for (const [cta, re] of CTA_RULES) {
        for (const m of text.matchAll(re)) ctaHits.push({ cta, index: m.index ?? 0, length: m[0].length });
      }
      ctaHits.sort((a, b) => a.index - b.index);
      const callsToAction = unique(ctaHits.map((h) => h.cta));
      // Without hashtags and mentions first: `#BX1234567` is a tag, not a part number.
      const untagged = text.replace(URL, ' ').replace(HASHTAG, ' ').replace(MENTION, ' ');
      const partNumbers = unique([...untagged.matchAll(PART_NUMBER)].map((m) => m[1] ?? '').filter((p) => p && !NOT_PART_NUMBER.test(p)));
      // Spans to blank out for the plain text: prices and calls to action (from the original text).
      const spans = [...prices.map((p) => [p.index, p.length] as const), ...ctaHits.map((h) => [h.index, h.length] as const)];
      let blanked = text;
      for (const [index, length] of spans) blanked = blanked.slice(0, index) + ' '.repeat(length) + blanked.slice(index + length);
      const plainText = blanked
        .replace(URL, ' ')
        .replace(HASHTAG, ' ')
        .replace(MENTION, ' ')
        .replace(EMOJI, ' ')
        .replace(/\s+/g, ' ')
        .replace(/\s+([.,!?;:])/g, '$1')
        .replace(/^[\s.,;:!?\-–—|]+|[\s,;:\-–—|]+$/g, '')
        .trim();
      return {
        prices: prices.map(({ amount, currency, text: t }) => ({ amount, currency, text: t })),
        price: prices[0] ? { amount: prices[0].amount, currency: prices[0].currency, text: prices[0].text } : null,
        hashtags,
        mentions,
        callsToAction,
        sentiment: sentimentOf(text.replace(URL, ' ').replace(HASHTAG, (_m, tag: string) => ` ${tag} `)),
        partNumbers,
        namePhrases: namePhrasesOf(plainText),
        plainText,
      };
    },
  };
}
