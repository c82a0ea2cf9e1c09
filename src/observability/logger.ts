/**
 * Structured JSON logs (pino). Secrets and personal data never reach a log
 * line: every argument of every call is rebuilt by `scrubValue` (secret- and
 * PII-named properties replaced, every string through `redactText`, errors
 * serialised with their messages and stacks scrubbed), and a second net
 * censors the credential paths (REDACT_PATHS) in every line just before it is
 * written (pathCensor.ts: pino's own `redact` did the same at a cost of its
 * own, measured there).
 * See redact.ts for the list of what is masked.
 */
import pino, { type Logger } from 'pino';
import { pathCensor } from './pathCensor.js';
import { CENSOR, redactText, scrubValue } from './redact.js';

export type { Logger };
export { redactText, registerSecret, forgetSecret, scrubValue } from './redact.js';

/** Paths censored in every line (pino's path syntax), whatever the first net did. */
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
  const censor = pathCensor(REDACT_PATHS, CENSOR);
  /** Both nets over a logger's bindings, the root's base ones and every child's. */
  const scrubBindings = (bindings: pino.Bindings) => censor(scrubValue(bindings) as Record<string, unknown>);
  const logger = pino(
    {
      level: options.level,
      base: { service: 'crossdock' },
      // Errors arrive already serialised and scrubbed by scrubArgs.
      serializers: { err: (err: unknown) => err },
      formatters: {
        level: (label) => ({ level: label }),
        // The root's base bindings (a child's go through `child` below).
        bindings: scrubBindings,
        // The line's own object (after logMethod's scrub): the second net.
        log: censor,
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, scrubArgs(args) as typeof args);
        },
      },
    },
    options.destination,
  );
  // A child's bindings pass through neither logMethod nor the bindings formatter (pino resets it for
  // children: proto.js `child`), so they are scrubbed here; a child inherits this `child` from the
  // root (pino makes it with Object.create), so grandchildren are scrubbed too.
  const pinoChild = logger.child as unknown as (this: Logger, bindings: pino.Bindings, childOptions?: pino.ChildLoggerOptions) => Logger;
  const scrubbedChild = function (this: Logger, bindings: pino.Bindings, childOptions?: pino.ChildLoggerOptions): Logger {
    return pinoChild.call(this, scrubBindings(bindings), childOptions);
  };
  logger.child = scrubbedChild as unknown as Logger['child'];
  return logger;
}
