/**
 * The media store strategy: where copied and derived images live. Objects
 * are content-addressed — the key is the SHA-256 of the bytes and the
 * format's extension — so a copy is written once however often it is
 * derived, two instances writing the same image agree, and an object never
 * changes under its key (served with an immutable cache lifetime). The
 * embedded store keeps files under the data dir (fileMediaStore.ts); object
 * storage (S3 and its likes) can replace it behind this interface.
 */

export type MediaType = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif';

export const MEDIA_EXTENSIONS: Readonly<Record<MediaType, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

/** `{64 hex digits}.{ext}`: what a key looks like (anything else is refused before touching storage). */
export const MEDIA_KEY = /^[0-9a-f]{64}\.(jpg|png|webp|gif)$/;

export interface MediaObject {
  key: string;
  contentType: MediaType;
  bytes: number;
}

export interface MediaStore {
  /** e.g. `file` or `s3`. */
  readonly kind: string;
  /** Stores the bytes under their content key (a no-op when already there). */
  put(bytes: Buffer, contentType: MediaType): Promise<MediaObject>;
  /** null for a key it does not hold (or that is not a key). */
  get(key: string): Promise<{ bytes: Buffer; contentType: MediaType } | null>;
}

export function contentTypeOfKey(key: string): MediaType | undefined {
  const ext = MEDIA_KEY.exec(key)?.[1];
  return (Object.entries(MEDIA_EXTENSIONS) as Array<[MediaType, string]>).find(([, e]) => e === ext)?.[0];
}
