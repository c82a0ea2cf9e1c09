/**
 * Structured JSON logs (pino). Secrets never reach a log line: known secret
 * fields are censored by path, and free text passes through `redactText`.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

const CENSOR = '[redacted]';

/** Paths pino censors wherever they appear in a logged object. */
export const REDACT_PATHS = [
  'key',
  'apiKey',
  'token',
  'accessToken',
  'access_token',
  'clientSecret',
  'client_secret',
  'password',
  'authorization',
  '*.key',
  '*.apiKey',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.clientSecret',
  '*.client_secret',
  '*.password',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-auth-token"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-auth-token"]',
];

const TEXT_PATTERNS: Array<[RegExp, string]> = [
  [/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '[jwt]'],
  [/\b(Bearer)\s+[\w.~+/=-]+/gi, '$1 [redacted]'],
  [/\b(cdk|api|sk|pk)_?[-_][\w-]{12,}\b/gi, '[key]'],
];

/** Scrubs tokens and keys out of free text (error messages, upstream bodies). */
export function redactText(text: string): string {
  let out = text;
  for (const [re, replacement] of TEXT_PATTERNS) out = out.replace(re, replacement);
  return out;
}

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'crossdock' },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as typeof args;
          method.apply(this, scrubbed);
        },
      },
    },
    options.destination,
  );
}
