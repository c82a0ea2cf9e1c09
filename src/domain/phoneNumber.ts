/**
 * Phone numbers as the messaging channels take them: E.164 (ITU-T E.164:
 * `+`, a country code that does not start with 0, at most 15 digits in all),
 * here 8 to 15 digits. Validated before anything is stored or sent, and
 * masked wherever one is shown (the graph, log lines): a phone number is
 * personal data.
 */

const E164 = /^\+[1-9]\d{7,14}$/;

/** The number in E.164 form, or null when `input` is not one (no spaces, dashes or brackets: the canonical form only). */
export function parseE164(input: string): string | null {
  const v = input.trim();
  return E164.test(v) ? v : null;
}

/** Digits only, as WhatsApp's `wa_id` and `recipient_id` carry a number ("+14155550123" → "14155550123"). */
export const digitsOf = (e164: string): string => e164.replace(/\D/g, '');

/** A vendor's digits-only number as E.164, or null when it is not one. */
export const e164FromDigits = (digits: string): string | null => parseE164(`+${digits.trim().replace(/^\+/, '')}`);

/** Shown instead of the number: its first two and last two digits (`+14*******23`), enough to tell two apart. */
export function maskPhone(e164: string): string {
  const d = digitsOf(e164);
  if (d.length < 6) return '+***';
  return `+${d.slice(0, 2)}${'*'.repeat(d.length - 4)}${d.slice(-2)}`;
}
