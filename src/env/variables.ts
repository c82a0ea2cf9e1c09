/** Environment variable parsers shared by the configuration modules. */
import { z } from 'zod';

/**
 * An optional URL variable with one of `protocols`; empty means unset. The
 * message names the rule, never the value (it may carry credentials).
 */
export function urlVariable(protocols: readonly string[], message: string, normalize: (u: URL, raw: string) => string) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      try {
        const u = new URL(v.trim());
        if (!protocols.includes(u.protocol)) throw new Error(`not ${protocols.join(' or ')}`);
        return normalize(u, v.trim());
      } catch {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
    });
}

/** Milliseconds, 0 to a day. */
export const ms = (def: number) => z.coerce.number().int().min(0).max(86_400_000).default(def);

/** Seconds (0 to a day) as milliseconds. */
export const seconds = (def: number) =>
  z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(def)
    .transform((s) => s * 1000);

/** true/false, 1/0, yes/no. */
export const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Trimmed text; empty means unset. */
export const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** An http(s) URL without a trailing slash; empty means unset. */
export const httpUrl = urlVariable(['http:', 'https:'], 'must be an http(s) URL', (u) => u.toString().replace(/\/+$/, ''));

/** What a module's variables parse to: each variable's name with its parser's output type. */
export type ParsedEnv<S extends Record<string, z.ZodType>> = { [K in keyof S]: z.output<S[K]> };
