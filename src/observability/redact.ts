/**
 * What may never leave the gateway in a log line or an audit entry: API keys,
 * bearer tokens, JWTs, OAuth client secrets, codes and tokens, store access
 * tokens, emails, phone numbers and street addresses.
 *
 * Two nets, both applied by `scrubValue` to any value however deeply nested:
 * - by key: a property whose name says it holds a secret (`token`,
 *   `client_secret`, `authorization`…) or personal data (`email`, `phone`,
 *   `street1`…) is replaced whole, and an object that looks like a postal
 *   address loses everything but its state and country;
 * - by content: every string (messages, error stacks, upstream bodies, URLs)
 *   passes through `redactText`, which rewrites JWTs, bearer and basic
 *   credentials, key-shaped strings, secret query parameters, email
 *   addresses, phone numbers (also URL-encoded, and WhatsApp's digits-only
 *   numbers by their field names), street addresses, and every secret value the
 *   gateway registered with `registerSecret` (configured keys and tokens,
 *   installed store tokens).
 *
 * Both nets are deliberately wide: a masked order id in a log costs a
 * lookup, a leaked token costs a store.
 */

export const CENSOR = '[redacted]';

/** Exact secret values known at run time (configured keys, installed tokens). */
const knownSecrets = new Set<string>();
let knownSorted: string[] = [];

/**
 * Registers a secret value: from now on any string containing it is
 * scrubbed. Values shorter than 8 characters are ignored (they would mask
 * ordinary words); such secrets are refused by config anyway.
 */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < 8 || knownSecrets.has(value)) return;
  for (const form of encodings(value)) knownSecrets.add(form);
  knownSorted = [...knownSecrets].sort((a, b) => b.length - a.length);
}

/**
 * A secret as it may be written: as is, and URL-encoded as in a query string
 * or a form body (`#` as `%23`, a space as `%20` or `+`), where a vendor that
 * echoes what it was sent would show it.
 */
function encodings(value: string): string[] {
  const component = encodeURIComponent(value);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  return [...new Set([value, component, form])];
}

/** How many secret values are registered (the set must stay bounded: configured secrets and installed tokens only). */
export function registeredSecretCount(): number {
  return knownSecrets.size;
}

/** Forgets a secret (an uninstalled store's token). */
export function forgetSecret(value: string | undefined | null): void {
  if (!value || !knownSecrets.has(value)) return;
  for (const form of encodings(value)) knownSecrets.delete(form);
  knownSorted = [...knownSecrets].sort((a, b) => b.length - a.length);
}

const SECRET_PARAM = '(?:code|token|access_token|refresh_token|id_token|client_secret|secret|signed_payload(?:_jwt)?|api[_-]?key|key|password|auth|sig|signature)';

/** Content patterns, applied in order. Each names what it replaces. */
const TEXT_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // JWTs (FinditParts request tokens, BigCommerce signed payloads), also unsigned ones (`alg: none`).
  [/\beyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*/g, '[jwt]'],
  // Header-like "name: value" text for the credential headers (scheme and credential both go).
  [/\b(x-api-key|x-auth-token|authorization|cookie)(["']?\s*[:=]\s*["']?)(?:(?:Bearer|Basic|Digest)\s+)?[^\s"',;}]+/gi, '$1$2[redacted]'],
  // Bearer credentials anywhere else.
  [/\b(Bearer)\s+[\w.~+/=-]{6,}/gi, '$1 [redacted]'],
  // Basic credentials anywhere else (base64 of id:secret, e.g. echoed by a token endpoint that refused
  // them); a digit, + / or = in it tells it from a word after "Basic".
  [/\b(Basic)\s+(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{8,}={0,2}/g, '$1 [redacted]'],
  // JSON text with a secret-named member, e.g. an upstream body echoed into a message.
  [new RegExp(`("${SECRET_PARAM}"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'), '$1"[redacted]"'],
  // Secret query parameters in URLs (`?code=…&context=…`).
  [new RegExp(`([?&;]${SECRET_PARAM}=)[^&\\s#"']+`, 'gi'), '$1[redacted]'],
  // Key-shaped strings: cdk_… (Crossdock), api-… (FinditParts static keys), sk_/pk_ styles.
  [/\b(?:cdk|api|sk|pk|rk)_?[-_][\w-]{12,}/gi, '[key]'],
  // Email addresses.
  [/[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}/g, '[email]'],
  // Phone numbers: international (+ and 7 to 15 digits in groups), also URL-encoded (%2B, as a query
  // string or a form body carries an E.164 number) ...
  [/\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}\d/g, '[phone]'],
  [/%2B\d{7,15}(?!\d)/gi, '[phone]'],
  // ... and North American ten-digit forms: 614-555-0199, (614) 555-0199, 614.555.0199.
  [/(?<![\w.])\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?![\w.])/g, '[phone]'],
  // Street addresses: a house number, one to four words, a street type.
  [
    /\b\d{1,6}[A-Za-z]?\s+(?:[A-Z0-9][\w'.-]*\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|Parkway|Pkwy|Highway|Hwy|Terrace|Ter|Circle|Cir|Square|Sq|Trail|Trl|Alley|Row|Plaza|Pike)\b\.?(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?(?:,?\s+(?:Apt|Suite|Ste|Unit|#)\.?\s*[\w-]+)?/g,
    '[address]',
  ],
  // US ZIP+4 codes (a bare five-digit number cannot be told from any other number).
  [/\b\d{5}-\d{4}\b/g, '[zip]'],
  // P.O. boxes.
  [/\bP\.?\s?O\.?\s+Box\s+\d+/gi, '[address]'],
];

/** Scrubs secrets and personal data out of free text. Never throws. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of knownSorted) if (out.includes(secret)) out = out.split(secret).join('[secret]');
  for (const [re, replacement] of TEXT_PATTERNS) out = out.replace(re, replacement);
  return out;
}

const norm = (key: string) => key.toLowerCase().replace(/[-_\s]/g, '');

/** Property names whose value is a secret, whatever it looks like (compared without case, `-` or `_`). */
const SECRET_KEYS = new Set(
  [
    'key', 'apiKey', 'x-api-key', 'secretKey', 'privateKey', 'encryptionKey', 'tokenEncryptionKey',
    'token', 'accessToken', 'refreshToken', 'idToken', 'authToken', 'x-auth-token', 'bearer', 'jwt',
    'secret', 'clientSecret', 'appClientSecret', 'password', 'passwd', 'passphrase', 'authorization',
    'cookie', 'set-cookie', 'signedPayload', 'signedPayloadJwt', 'authorizationCode', 'oauthCode',
    'ciphertext', 'sask', 'credentials',
  ].map(norm),
);
/** Suffixes that mark a secret too (`bcToken`, `finditpartsClientSecret`, `adminPassword`). */
const SECRET_SUFFIXES = ['token', 'secret', 'password', 'apikey'];

/** Property names that hold personal data. */
const PII_KEYS = new Set(
  [
    'email', 'emailAddress', 'phone', 'phoneNumber', 'telephone', 'mobile', 'fax',
    'street', 'street1', 'street2', 'streetAddress', 'address1', 'address2', 'addressLine1', 'addressLine2',
    'line1', 'line2', 'zip', 'zipCode', 'postcode', 'postalCode', 'firstName', 'lastName', 'fullName',
    // WhatsApp's numbers come digits only (`wa_id`, `recipient_id`), which no content pattern tells from an id.
    'waId', 'recipientId', 'recipient', 'displayPhoneNumber', 'msisdn',
  ].map(norm),
);
/**
 * Names too common to mask whole (`from` and `to` are statuses in an order's history), masked when
 * the value is a phone number: WhatsApp's `messages[].from`, `contacts[].input`, a message's `to`.
 */
const PHONE_VALUE_KEYS = new Set(['from', 'to', 'input']);
const PHONE_VALUE = /^\+?[1-9]\d{7,14}$/;
/** In an object that looks like a postal address, only these survive. */
const ADDRESS_KEEP = new Set(['state', 'country', 'countrycode', 'countryiso2', 'stateorprovince']);
const ADDRESS_MARKERS = new Set(['street1', 'street', 'address1', 'addressline1', 'line1', 'streetaddress']);

/**
 * `code` is an error code almost everywhere (`FORBIDDEN`, `ECONNRESET`, 404)
 * but an OAuth authorization code in the install flow: keep the former.
 */
const ERROR_CODE = /^[A-Z][A-Z0-9_]*$/;

function isSecretKey(key: string, value: unknown): boolean {
  const k = norm(key);
  if (k === 'code') return typeof value === 'string' && !ERROR_CODE.test(value);
  if (SECRET_KEYS.has(k)) return value !== null && value !== undefined && value !== '';
  return SECRET_SUFFIXES.some((s) => k.endsWith(s)) && typeof value === 'string' && value !== '';
}

export interface ScrubOptions {
  /** Deeper than this becomes "[depth]". @default 8 */
  maxDepth?: number;
  /** Longer arrays are cut, with a marker. @default 200 */
  maxItems?: number;
}

/**
 * A scrubbed copy of any value: plain objects and arrays rebuilt, errors as
 * `{type, message, stack, code, …}` objects, strings through `redactText`,
 * secret- and PII-named properties replaced. Never throws, never mutates its
 * input, survives cycles.
 */
export function scrubValue(value: unknown, options: ScrubOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? 8;
  const maxItems = options.maxItems ?? 200;
  const seen = new WeakSet<object>();

  function walk(v: unknown, depth: number, inAddress: boolean): unknown {
    if (typeof v === 'string') return redactText(v);
    if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return v;
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'symbol') return v.toString();
    if (typeof v === 'function') return undefined;
    if (typeof v !== 'object') return undefined;
    if (seen.has(v)) return '[circular]';
    if (depth >= maxDepth) return '[depth]';
    seen.add(v);
    try {
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
      if (v instanceof URL) return redactText(v.toString());
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return `[binary ${(v as ArrayBufferLike).byteLength} bytes]`;
      if (v instanceof Error) return walkError(v, depth);
      if (Array.isArray(v)) {
        const items = v.slice(0, maxItems).map((item) => walk(item, depth + 1, inAddress));
        if (v.length > maxItems) items.push(`[${v.length - maxItems} more]`);
        return items;
      }
      if (v instanceof Map) return walkEntries([...v.entries()].map(([k, val]) => [String(k), val]), depth, false);
      if (v instanceof Set) return walk([...v], depth, inAddress);
      return walkEntries(Object.entries(v), depth, inAddress);
    } finally {
      seen.delete(v);
    }
  }

  function walkEntries(entries: Array<[string, unknown]>, depth: number, inAddress: boolean): Record<string, unknown> {
    const address = inAddress || entries.some(([k]) => ADDRESS_MARKERS.has(norm(k)));
    const out: Record<string, unknown> = {};
    for (const [k, val] of entries) {
      const n = norm(k);
      if (isSecretKey(k, val)) out[k] = CENSOR;
      else if (PII_KEYS.has(n) && val !== null && val !== undefined && val !== '') out[k] = CENSOR;
      else if (PHONE_VALUE_KEYS.has(n) && typeof val === 'string' && PHONE_VALUE.test(val.trim())) out[k] = CENSOR;
      else if (address && !ADDRESS_KEEP.has(n) && (typeof val === 'string' || typeof val === 'number')) out[k] = CENSOR;
      else if (n === 'address' && typeof val === 'string') out[k] = CENSOR;
      else out[k] = walk(val, depth + 1, n === 'address' || n.endsWith('address'));
    }
    return out;
  }

  function walkError(err: Error, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = { type: err.name || 'Error', message: redactText(String(err.message ?? '')) };
    if (typeof err.stack === 'string') out.stack = redactText(err.stack);
    // Own properties: code, status, upstream, kind, extensions…
    for (const [k, val] of Object.entries(err)) {
      if (k === 'message' || k === 'stack') continue;
      out[k] = isSecretKey(k, val) || PII_KEYS.has(norm(k)) ? CENSOR : walk(val, depth + 1, false);
    }
    if (err.cause !== undefined) out.cause = walk(err.cause, depth + 1, false);
    return out;
  }

  try {
    return walk(value, 0, false);
  } catch {
    return '[unloggable]';
  }
}
