/**
 * The rule-based caption analyzer (src/social/analyzer/ruleAnalyzer.ts) on
 * 66 captions, each with its exact expected reading: prices in the forms
 * people write them (`$19.99`, `19,99 €`, `USD 25`, `only 25 bucks`,
 * thousands groups with `,` `.` or spaces, R$, C$, ¥, 円, £, pesos) and
 * what is not a price (`50% off`, `12V`, a part number's digits, a link's
 * query), hashtags (case folded, deduplicated, not glued to a word, not
 * digits only), @mentions (not an e-mail's @), calls to action in English,
 * Spanish, Portuguese, French and German, the lexicon sentiment with
 * negation and emoji, part-number-shaped codes, non-English text and
 * captions with no product at all. Every expectation was checked by hand
 * against its caption; the analyzer is deterministic, so each is exact.
 */
import { describe, expect, it } from 'vitest';
import type { CallToAction } from '../../src/social/analyzer/captionAnalyzer.js';
import { createRuleAnalyzer } from '../../src/social/analyzer/ruleAnalyzer.js';

interface Expected {
  prices: Array<[string, string | null]>;
  hashtags: string[];
  mentions: string[];
  cta: CallToAction[];
  sentiment: number;
  partNumbers: string[];
}

const CAPTIONS: ReadonlyArray<readonly [string, Expected]> = [
  ["New Bendix Air Brake Chamber BX-1234567 just dropped 🔥 only $49.99 #trucking #brakes link in bio", { prices: [["49.99","USD"]], hashtags: ["trucking","brakes"], mentions: [], cta: ["LINK_IN_BIO"], sentiment: 1, partNumbers: ["BX-1234567"] }],
  ["Only $19.99 today!", { prices: [["19.99","USD"]], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["19,99 € seulement", { prices: [["19.99","EUR"]], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["USD 25 each, DM to order", { prices: [["25.00","USD"]], hashtags: [], mentions: [], cta: ["DM_TO_ORDER"], sentiment: 0, partNumbers: [] }],
  ["only 25 bucks!! shop now", { prices: [["25.00","USD"]], hashtags: [], mentions: [], cta: ["SHOP_NOW"], sentiment: 0, partNumbers: [] }],
  ["Price: 1,299.99 USD #deal", { prices: [["1299.99","USD"]], hashtags: ["deal"], mentions: [], cta: [], sentiment: 1, partNumbers: [] }],
  ["Preis 1.299,00 EUR — jetzt kaufen", { prices: [["1299.00","EUR"]], hashtags: [], mentions: [], cta: ["BUY_NOW"], sentiment: 0, partNumbers: [] }],
  ["R$ 49,90 no filtro 🇧🇷 link na bio", { prices: [["49.90","BRL"]], hashtags: [], mentions: [], cta: ["LINK_IN_BIO"], sentiment: 0, partNumbers: [] }],
  ["3000円 です #japan", { prices: [["3000.00","JPY"]], hashtags: ["japan"], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["¥3000 only", { prices: [["3000.00","JPY"]], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["£12.50 shipped #uk", { prices: [["12.50","GBP"]], hashtags: ["uk"], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["€5 off? No: €5 flat", { prices: [["5.00","EUR"],["5.00","EUR"]], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["25$ en oferta, compra ya", { prices: [["25.00","USD"]], hashtags: [], mentions: [], cta: ["SHOP_NOW"], sentiment: 0, partNumbers: [] }],
  ["just 9.99 dollars", { prices: [["9.99","USD"]], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["20 euros, pide ya", { prices: [["20.00","EUR"]], hashtags: [], mentions: [], cta: ["ORDER_NOW"], sentiment: 0, partNumbers: [] }],
  ["300 pesos nada más @refacciones_mx", { prices: [["300.00","MXN"]], hashtags: [], mentions: ["refacciones_mx"], cta: [], sentiment: 0, partNumbers: [] }],
  ["C$ 35 in Canada, A$ 40 in Australia", { prices: [["35.00","CAD"],["40.00","AUD"]], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["50% off everything 12V lamps", { prices: [], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["#2024 best year #1", { prices: [], hashtags: [], mentions: [], cta: [], sentiment: 1, partNumbers: [] }],
  ["Email me at sales@example.com or DM me to order", { prices: [], hashtags: [], mentions: [], cta: ["DM_TO_ORDER"], sentiment: 0, partNumbers: [] }],
  ["@fleet.guy @Mechanic_Mike check this out", { prices: [], hashtags: [], mentions: ["fleet.guy","mechanic_mike"], cta: [], sentiment: 0, partNumbers: [] }],
  ["I love this filter, best purchase ever 😍", { prices: [], hashtags: [], mentions: [], cta: [], sentiment: 1, partNumbers: [] }],
  ["Worst brake shoes ever, broke after a week 😡", { prices: [], hashtags: [], mentions: [], cta: [], sentiment: -1, partNumbers: [] }],
  ["Not bad at all, not great either", { prices: [], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["Never disappointed with Meritor 👍", { prices: [], hashtags: [], mentions: [], cta: [], sentiment: 1, partNumbers: [] }],
  ["Just a sunset drive 🌅 #trucklife #vibes", { prices: [], hashtags: ["trucklife","vibes"], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["", { prices: [], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["🔥🔥🔥", { prices: [], hashtags: [], mentions: [], cta: [], sentiment: 1, partNumbers: [] }],
  ["Link in my bio for the Dayton Parts Air Spring DP-0012345", { prices: [], hashtags: [], mentions: [], cta: ["LINK_IN_BIO"], sentiment: 0, partNumbers: ["DP-0012345"] }],
  ["link is in the bio", { prices: [], hashtags: [], mentions: [], cta: ["LINK_IN_BIO"], sentiment: 0, partNumbers: [] }],
  ["Comment 'LINK' for the link", { prices: [], hashtags: [], mentions: [], cta: ["COMMENT_FOR_LINK"], sentiment: 0, partNumbers: [] }],
  ["Buy now before it's gone! #sale", { prices: [], hashtags: ["sale"], mentions: [], cta: ["BUY_NOW"], sentiment: 0, partNumbers: [] }],
  ["Order today, ships tomorrow", { prices: [], hashtags: [], mentions: [], cta: ["ORDER_NOW"], sentiment: 0, partNumbers: [] }],
  ["Grab yours: Fleetguard Fuel Filter FG-7654321 $32", { prices: [["32.00","USD"]], hashtags: [], mentions: [], cta: ["BUY_NOW"], sentiment: 0, partNumbers: ["FG-7654321"] }],
  ["Get yours now $15.00 #lights", { prices: [["15.00","USD"]], hashtags: ["lights"], mentions: [], cta: ["BUY_NOW"], sentiment: 0, partNumbers: [] }],
  ["Shop now 👉 https://example.com/shop?x=$5 #promo", { prices: [], hashtags: ["promo"], mentions: [], cta: ["SHOP_NOW"], sentiment: 0, partNumbers: [] }],
  ["Hashtag without space#notatag and #Real_Tag #ÜberCool", { prices: [], hashtags: ["real_tag","übercool"], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["#BX1234567 is a tag not a part", { prices: [], hashtags: ["bx1234567"], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["Part HX12345 and ABC-123-X1 in stock", { prices: [], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: ["HX12345","ABC-123-X1"] }],
  ["Codes: BX-1234567, BX-1234567 again", { prices: [], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: ["BX-1234567"] }],
  ["USD25 flat", { prices: [["25.00","USD"]], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["price 12 $15 typo", { prices: [["15.00","USD"]], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["Neu: Gates Serpentine Belt GT-1111111 für 29,95 EUR 💯 Link in Bio #lkw", { prices: [["29.95","EUR"]], hashtags: ["lkw"], mentions: [], cta: ["LINK_IN_BIO"], sentiment: 1, partNumbers: ["GT-1111111"] }],
  ["¡Oferta! Filtro de aceite a solo 12,50 € 😍 compra ya #camiones", { prices: [["12.50","EUR"]], hashtags: ["camiones"], mentions: [], cta: ["SHOP_NOW"], sentiment: 1, partNumbers: [] }],
  ["Le kit de frein à 89,90 € seulement ! Lien dans la bio 🔥", { prices: [["89.90","EUR"]], hashtags: [], mentions: [], cta: ["LINK_IN_BIO"], sentiment: 1, partNumbers: [] }],
  ["Muito bom! peça já por R$ 120,00 #caminhao", { prices: [["120.00","BRL"]], hashtags: ["caminhao"], mentions: [], cta: ["ORDER_NOW"], sentiment: 1, partNumbers: [] }],
  ["Schreib mir für den Preis", { prices: [], hashtags: [], mentions: [], cta: ["DM_TO_ORDER"], sentiment: 0, partNumbers: [] }],
  ["Escríbeme para más info", { prices: [], hashtags: [], mentions: [], cta: ["DM_TO_ORDER"], sentiment: 0, partNumbers: [] }],
  ["manda DM y te lo envío", { prices: [], hashtags: [], mentions: [], cta: ["DM_TO_ORDER"], sentiment: 0, partNumbers: [] }],
  ["Send me a DM for pricing", { prices: [], hashtags: [], mentions: [], cta: ["DM_TO_ORDER"], sentiment: 0, partNumbers: [] }],
  ["this isn't junk, it's solid quality", { prices: [], hashtags: [], mentions: [], cta: [], sentiment: 1, partNumbers: [] }],
  ["don't love it", { prices: [], hashtags: [], mentions: [], cta: [], sentiment: -1, partNumbers: [] }],
  ["Heavy Duty Wheel Seal kit, recommend 100% 💯", { prices: [], hashtags: [], mentions: [], cta: [], sentiment: 1, partNumbers: [] }],
  ["Stemco Wheel Seal ST-0000001 $7.5", { prices: [["7.50","USD"]], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: ["ST-0000001"] }],
  ["$ 7.50 with a space", { prices: [["7.50","USD"]], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["1 299,00 € with a plain space", { prices: [["1299.00","EUR"]], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["Deal of the day: 2 for $30 #bundle", { prices: [["30.00","USD"]], hashtags: ["bundle"], mentions: [], cta: [], sentiment: 1, partNumbers: [] }],
  ["Was $50 now $35!!", { prices: [["50.00","USD"],["35.00","USD"]], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["OEM Replacement Radiator Cap, comment \"INFO\" to get the link", { prices: [], hashtags: [], mentions: [], cta: ["COMMENT_FOR_LINK"], sentiment: 0, partNumbers: [] }],
  ["Mega sale 🔥🔥 #Sale #sale #SALE", { prices: [], hashtags: ["sale"], mentions: [], cta: [], sentiment: 1, partNumbers: [] }],
  ["Timken Wheel Bearing TK-2222222 — $1,049.00 — DM to buy", { prices: [["1049.00","USD"]], hashtags: [], mentions: [], cta: ["DM_TO_ORDER"], sentiment: 0, partNumbers: ["TK-2222222"] }],
  ["Tap the link in our bio to shop now", { prices: [], hashtags: [], mentions: [], cta: ["LINK_IN_BIO","SHOP_NOW"], sentiment: 0, partNumbers: [] }],
  ["€12,5 oder 12.5€", { prices: [["12.50","EUR"],["12.50","EUR"]], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["Haldex slack adjuster HX-3333333 fails? no problem, ours never fails", { prices: [], hashtags: [], mentions: [], cta: [], sentiment: 0.33, partNumbers: ["HX-3333333"] }],
  ["1 299,00 € avec espace fine insécable", { prices: [["1299.00","EUR"]], hashtags: [], mentions: [], cta: [], sentiment: 0, partNumbers: [] }],
  ["小さい部品 ¥1,200 #トラック 🔥", { prices: [["1200.00","JPY"]], hashtags: ["トラック"], mentions: [], cta: [], sentiment: 1, partNumbers: [] }],
];

describe('the rule-based caption analyzer', () => {
  const analyzer = createRuleAnalyzer();

  it('has at least 60 captions in its table', () => {
    expect(CAPTIONS.length).toBeGreaterThanOrEqual(60);
  });

  for (const [caption, expected] of CAPTIONS) {
    it(`reads ${JSON.stringify(caption).slice(0, 90)}`, async () => {
      const a = await analyzer.analyse(caption);
      expect({
        prices: a.prices.map((p) => [p.amount, p.currency]),
        hashtags: a.hashtags,
        mentions: a.mentions,
        cta: a.callsToAction,
        sentiment: a.sentiment,
        partNumbers: a.partNumbers,
      }).toEqual(expected);
      expect(a.price).toEqual(a.prices[0] ?? null);
    });
  }

  it('keeps the words each price was read from, and a plain text without tags, mentions, links, prices, calls to action or emoji', async () => {
    const a = await analyzer.analyse('New Bendix Air Brake Chamber BX-1234567 just dropped 🔥 only $49.99 #trucking @fleet.guy https://x.example/p link in bio');
    expect(a.prices).toEqual([{ amount: '49.99', currency: 'USD', text: '$49.99' }]);
    expect(a.plainText).toBe('New Bendix Air Brake Chamber BX-1234567 just dropped only');
    expect(a.namePhrases).toEqual(['New Bendix Air Brake Chamber']);
    expect((await analyzer.analyse('only 25 bucks')).prices[0]?.text).toBe('25 bucks');
    expect((await analyzer.analyse('Just a sunset drive 🌅 #trucklife')).plainText).toBe('Just a sunset drive');
  });

  it('gives the same analysis for the same caption every time', async () => {
    const caption = CAPTIONS[0]![0];
    expect(await analyzer.analyse(caption)).toEqual(await analyzer.analyse(caption));
  });
});
