/**
 * Which M3 transactions the `m3(…)` escape hatch may run: read
 * transactions only (M3's naming: `Get…` one record, `Lst…` a list), and of
 * those only the ones ION_M3_ALLOWED_TRANSACTIONS names (`PROGRAM/Transaction`,
 * or `PROGRAM/*` for every Get/Lst transaction of a program). Anything else
 * is refused before any call: the old proxy's clients read through it, and
 * an `Add…`, `Upd…` or `Dlt…` must never ride the same door.
 */

export interface AllowList {
  allows(program: string, transaction: string): boolean;
  entries(): string[];
}

/** The programs and transactions the connector reads itself, and the customer lookups orders need. */
export const DEFAULT_ALLOWED = 'MMS200MI/GetItmBasic,MMS200MI/LstItmByItm,MMS200MI/GetItmWhsBasic,MMS060MI/LstBalID,MMS060MI/LstSumQty,OIS100MI/GetHead,OIS100MI/LstHead';

export const PROGRAM = /^[A-Z0-9]{3,10}MI$/;
export const READ_TRANSACTION = /^(Get|Lst)[A-Za-z0-9]{1,29}$/;

export function parseAllowList(raw: string, variable: string, problems: string[]): AllowList {
  const exact = new Set<string>();
  const programs = new Set<string>();
  raw.split(',').forEach((item, i) => {
    const entry = item.trim();
    if (!entry) return;
    const [program = '', transaction = '', ...rest] = entry.split('/');
    if (rest.length || !PROGRAM.test(program)) {
      problems.push(`${variable}: entry ${i + 1} must be PROGRAM/Transaction with an M3 MI program name (e.g. MMS200MI/GetItmBasic)`);
    } else if (transaction === '*') {
      programs.add(program);
    } else if (!READ_TRANSACTION.test(transaction)) {
      problems.push(`${variable}: entry ${i + 1} is not a read transaction (Get… or Lst…): only reads may be allowed`);
    } else {
      exact.add(`${program}/${transaction}`);
    }
  });
  return {
    allows: (program, transaction) => PROGRAM.test(program) && READ_TRANSACTION.test(transaction) && (programs.has(program) || exact.has(`${program}/${transaction}`)),
    entries: () => [...exact, ...[...programs].map((p) => `${p}/*`)],
  };
}
