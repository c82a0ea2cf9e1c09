/**
 * Product drafts from social video links: a draft's record, its lifecycle
 * (a discriminated union handled by exhaustive switches), its images and
 * catalog matches.
 */
import type { Money } from '../domain/money.js';
import type { CaptionAnalysis } from './analyzer/captionAnalyzer.js';

export type SocialPlatform = 'TIKTOK';

/** DRAFT → PUBLISHED (one store product, created or linked) or DISCARDED; a discarded draft may become a DRAFT again. */
export type DraftStatus = 'DRAFT' | 'PUBLISHED' | 'DISCARDED';

export function isEditable(status: DraftStatus): boolean {
  switch (status) {
    case 'DRAFT':
    case 'DISCARDED':
      return true;
    case 'PUBLISHED':
      return false;
    default: {
      const never: never = status;
      throw new Error(`unknown draft status ${String(never)}`);
    }
  }
}

/** One derived image in the media store. */
export interface DraftImage {
  /** The size asked for (the longer side's bound, SOCIAL_IMAGE_SIZES). */
  size: number;
  width: number;
  height: number;
  format: 'jpeg' | 'webp';
  /** The media store's key (content-addressed). */
  key: string;
  bytes: number;
}

export type MatchKind = 'PART_NUMBER' | 'NAME';

/** A catalog entry the caption names, with how sure the matcher is. */
export interface DraftMatch {
  kind: MatchKind;
  /** The supplier part, when the match is one. */
  partId: string | null;
  partNumber: string | null;
  /** The store product of that part (by the SKU rule), or a store product matched by name. */
  productId: string | null;
  /** The words of the caption it was matched by. */
  matchedText: string;
  /** 0 to 1, two decimals. */
  confidence: number;
}

export interface ProductDraftRecord {
  id: string;
  platform: SocialPlatform;
  videoId: string;
  sourceUrl: string;
  author: string | null;
  authorUrl: string | null;
  caption: string | null;
  title: string | null;
  description: string | null;
  price: Money | null;
  tags: string[];
  category: string | null;
  images: DraftImage[];
  matches: DraftMatch[];
  analysis: CaptionAnalysis | null;
  status: DraftStatus;
  ingestJobId: string | null;
  ingestedAt: string | null;
  storeProductId: string | null;
  /** Published as a link to a product the store already had. */
  linked: boolean;
  publishedAt: string | null;
  /** A publication in progress: its claim's token and lease end. */
  publishToken: string | null;
  publishUntil: string | null;
  publishAttempts: number;
  lastError: string | null;
  /** Counts edits, for compare-and-set updates. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What the ingest job writes once the video is analysed. */
export interface IngestedFields {
  author: string | null;
  authorUrl: string | null;
  caption: string;
  title: string;
  description: string;
  price: Money | null;
  tags: string[];
  category: string | null;
  images: DraftImage[];
  matches: DraftMatch[];
  analysis: CaptionAnalysis;
}

/** An operator's edit (updateProductDraft). */
export interface DraftPatch {
  title?: string;
  description?: string;
  price?: Money | null;
  tags?: string[];
  category?: string | null;
  status?: 'DRAFT' | 'DISCARDED';
}
