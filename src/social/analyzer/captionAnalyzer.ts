/**
 * The caption analyzer strategy: what a video's caption says about the
 * product it shows. The default is rule-based and deterministic
 * (ruleAnalyzer.ts: the same caption always gives the same analysis, so
 * drafts and tests are reproducible); a language model can be plugged in
 * behind the same interface later, none is required.
 */

/** A price as people write it in a caption, read as an exact decimal. */
export interface CaptionPrice {
  /** Exact decimal with two fraction digits, e.g. "19.99". */
  amount: string;
  /** ISO 4217 code, e.g. USD; null when the caption names no currency the analyzer knows. */
  currency: string | null;
  /** The words it was read from, e.g. "only 25 bucks". */
  text: string;
}

/** Calls to action a seller's caption makes. */
export type CallToAction = 'LINK_IN_BIO' | 'SHOP_NOW' | 'DM_TO_ORDER' | 'BUY_NOW' | 'ORDER_NOW' | 'COMMENT_FOR_LINK';
export const CALLS_TO_ACTION: readonly CallToAction[] = ['LINK_IN_BIO', 'SHOP_NOW', 'DM_TO_ORDER', 'BUY_NOW', 'ORDER_NOW', 'COMMENT_FOR_LINK'];

export interface CaptionAnalysis {
  /** Every price, in the order written. */
  prices: CaptionPrice[];
  /** The first price: the one a draft takes. */
  price: CaptionPrice | null;
  /** Hashtags, lower case without `#`, first appearance order, no repeats. */
  hashtags: string[];
  /** @mentions, lower case without `@`, first appearance order, no repeats. */
  mentions: string[];
  /** Calls to action, in the order they first appear. */
  callsToAction: CallToAction[];
  /** From -1 (negative) to 1 (positive), two decimals; 0 when nothing says either. */
  sentiment: number;
  /** Tokens shaped like part numbers (upper case letters and digits), upper case, no repeats. */
  partNumbers: string[];
  /** Runs of capitalised words (product and brand names), for catalog search. */
  namePhrases: string[];
  /** The caption without hashtags, mentions, links, prices, calls to action and emoji: a title's raw material. */
  plainText: string;
}

export interface CaptionAnalyzer {
  /** A short name for logs and the draft's record (e.g. `rules`). */
  readonly name: string;
  analyse(caption: string): CaptionAnalysis | Promise<CaptionAnalysis>;
}
