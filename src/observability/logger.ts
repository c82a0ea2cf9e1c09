/**
 * Structured JSON logs (pino). Secrets and personal data never reach a log
 * line: every argument of every call is rebuilt by `scrubValue` (secret- and
 * PII-named properties replaced, every string through `redactText`, errors
 * serialised with their messages and stacks scrubbed), and pino's own path
 * redaction stays as a second net for the credential headers.
 * See redact.ts for the list of what is masked.
 */
import pino, { type Logger } from 'pino';
import { CENSOR, redactText, scrubValue } from './redact.js';

export type { Logger };
export { redactText, registerSecret, forgetSecret, scrubValue } from './redact.js';

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

export interface LoggerOptions {
  /** pino level. */
  level: string;
  /** Where lines go. @default stdout */
  destination?: pino.DestinationStream;
}

/**
 * pino's call forms: (obj, msg?, ...args), (err, msg?), (msg, ...args).
 * An Error first becomes `{err}` (pino's convention) so its scrubbed message
 * is the line's message when none is given.
 */
function scrubArgs(args: unknown[]): unknown[] {
  const out = args.map((a) => (typeof a === 'string' ? redactText(a) : scrubValue(a)));
  const first = args[0];
  if (first instanceof Error) {
    const err = out[0] as { message?: string };
    out[0] = { err };
    if (typeof out[1] !== 'string') out.splice(1, 0, err.message ?? 'error');
  }
  return out;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'crossdock' },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      // Errors arrive already serialised and scrubbed by scrubArgs.
      serializers: { err: (err: unknown) => err },
      formatters: {
        level: (label) => ({ level: label }),
        // Child logger bindings do not pass through logMethod.
        bindings: (bindings) => scrubValue(bindings) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, scrubArgs(args) as typeof args);
        },
      },
    },
    options.destination,
  );
}
