/**
 * WhatsApp's error codes, in the domain's terms (upstreams.md: "key on
 * `code`"), for the send's error answers and the `errors` of a failed
 * status event alike:
 *
 * | code | meaning | reason |
 * | --- | --- | --- |
 * | 130429 | throughput reached (80 messages/s per number by default) | THROUGHPUT |
 * | 131056 | pair rate: too many messages to one user (about one per 6 s) | PAIR_RATE |
 * | 131047 | re-engagement: outside the 24-hour customer window | WINDOW_CLOSED |
 * | 131026 | message undeliverable | UNDELIVERABLE |
 * | 190 | access token expired or invalid | AUTH |
 * | 80007, 4 | the business account's / the app's rate limit | ACCOUNT_RATE |
 * | anything else | the message itself was refused | REJECTED |
 *
 * One place for the table; the message outbox (src/messaging/) acts on the reasons.
 */
import type { MessagingFailureReason } from '../../domain/messagingError.js';

const BY_CODE: Readonly<Record<string, MessagingFailureReason>> = {
  '130429': 'THROUGHPUT',
  '131056': 'PAIR_RATE',
  '131047': 'WINDOW_CLOSED',
  '131026': 'UNDELIVERABLE',
  '190': 'AUTH',
  '80007': 'ACCOUNT_RATE',
  '4': 'ACCOUNT_RATE',
};

export function reasonOfCode(code: string | number | undefined | null): MessagingFailureReason {
  return (code === undefined || code === null ? undefined : BY_CODE[String(code)]) ?? 'REJECTED';
}
