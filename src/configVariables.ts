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
