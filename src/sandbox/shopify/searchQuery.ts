/**
 * The `query` argument of `orders` (upstreams.md, "Search syntax in
 * `query`"): `field:value` terms with the comparators `:` `:<` `:>` `:<=`
 * `:>=`, values bare or quoted (single or double quotes; dates quoted),
 * implied AND between terms, explicit `AND` and `OR`, `NOT` or a leading
 * `-`, and parentheses. AND binds tighter than OR.
 *
 * Fields: `created_at`, `updated_at`, `processed_at` (ISO-8601 instants or
 * `YYYY-MM-DD`, which is that UTC day for `:` and its midnight for the
 * ordering comparators), `status` (open, closed, cancelled, not_closed,
 * any), `financial_status` (the lower-case `displayFinancialStatus` values,
 * `unpaid`, `any`), `fulfillment_status` (the lower-case
 * `displayFulfillmentStatus` values, `shipped`, `partial`, `unshipped`,
 * `any`), `id` (the numeric id or the gid). A bare word is the order number
 * (`1001` or `#1001`).
 *
 * What the vendor does with a field it does not know, the sandbox does too:
 * the term is ignored and the answer's `extensions.search` carries a warning
 * (so a misspelt filter silently widens the result, which a connector must
 * not rely on). A known field with a value it cannot read matches nothing,
 * with a warning.
 */
import { FINANCIAL_STATUSES, FULFILLMENT_STATUSES, ID_BASE, ORDER_NUMBER_OFFSET } from './orderRecord.js';

/** Read access to the facts a search can test, by order index. */
export interface SearchableFacts {
  createdSec(index: number): number;
  updatedSec(index: number): number;
  closed(index: number): boolean;
  cancelled(index: number): boolean;
  financial(index: number): number;
  fulfillment(index: number): number;
}

export interface SearchWarning {
  field: string;
  message: string;
}

export interface CompiledSearch {
  /** Null when every order matches. */
  matches: ((index: number) => boolean) | null;
  warnings: SearchWarning[];
}

export class SearchSyntaxError extends Error {}

type Comparator = ':' | ':<' | ':>' | ':<=' | ':>=';

type Node =
  | { kind: 'term'; field: string | null; comparator: Comparator; value: string }
  | { kind: 'not'; operand: Node }
  | { kind: 'and' | 'or'; operands: Node[] };

type Token =
  | { kind: 'lparen' }
  | { kind: 'rparen' }
  | { kind: 'word'; text: string; field: string | null; comparator: Comparator; value: string; quoted: boolean; negated: boolean };

const SPECIAL = new Set(['(', ')']);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const readQuoted = (): string => {
    const quote = input[i];
    i++;
    let out = '';
    while (i < input.length && input[i] !== quote) {
      if (input[i] === '\\' && i + 1 < input.length) i++;
      out += input[i];
      i++;
    }
    if (i >= input.length) throw new SearchSyntaxError(`unterminated quoted value in search query`);
    i++;
    return out;
  };
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(') {
      tokens.push({ kind: 'lparen' });
      i++;
      continue;
    }
    if (c === ')') {
      tokens.push({ kind: 'rparen' });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const value = readQuoted();
      tokens.push({ kind: 'word', text: value, field: null, comparator: ':', value, quoted: true, negated: false });
      continue;
    }
    // A bare word, or `field:` + comparator + value (bare or quoted); a leading `-` negates it.
    const negated = c === '-' && i + 1 < input.length && !/\s/.test(input[i + 1]!);
    if (negated) i++;
    let word = '';
    while (i < input.length && !/\s/.test(input[i]!) && !SPECIAL.has(input[i]!) && input[i] !== ':' && input[i] !== '"' && input[i] !== "'") word += input[i++];
    if (input[i] !== ':') {
      tokens.push({ kind: 'word', text: word, field: null, comparator: ':', value: word, quoted: false, negated });
      continue;
    }
    i++;
    let comparator: Comparator = ':';
    for (const op of ['<=', '>=', '<', '>'] as const) {
      if (input.startsWith(op, i)) {
        comparator = `:${op}`;
        i += op.length;
        break;
      }
    }
    let value = '';
    let quoted = false;
    if (input[i] === '"' || input[i] === "'") {
      value = readQuoted();
      quoted = true;
    } else {
      while (i < input.length && !/\s/.test(input[i]!) && !SPECIAL.has(input[i]!)) value += input[i++];
    }
    tokens.push({ kind: 'word', text: `${word}${comparator}${value}`, field: word.toLowerCase(), comparator, value, quoted, negated });
  }
  return tokens;
}

function parse(tokens: Token[]): Node | null {
  let pos = 0;
  const peek = () => tokens[pos];
  const isKeyword = (t: Token | undefined, k: string) => t?.kind === 'word' && !t.quoted && !t.negated && t.field === null && t.text === k;

  function orExpr(): Node {
    const operands = [andExpr()];
    while (isKeyword(peek(), 'OR')) {
      pos++;
      operands.push(andExpr());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }
  function andExpr(): Node {
    const operands = [unary()];
    for (;;) {
      const t = peek();
      if (!t || t.kind === 'rparen' || isKeyword(t, 'OR')) break;
      if (isKeyword(t, 'AND')) pos++;
      operands.push(unary());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }
  function unary(): Node {
    const t = peek();
    if (isKeyword(t, 'NOT')) {
      pos++;
      return { kind: 'not', operand: unary() };
    }
    if (t?.kind === 'word' && t.negated) {
      pos++;
      return { kind: 'not', operand: { kind: 'term', field: t.field, comparator: t.comparator, value: t.value } };
    }
    return primary();
  }
  function primary(): Node {
    const t = peek();
    if (!t) throw new SearchSyntaxError('search query ends where a term was expected');
    if (t.kind === 'lparen') {
      pos++;
      const inner = orExpr();
      if (peek()?.kind !== 'rparen') throw new SearchSyntaxError('unbalanced parenthesis in search query');
      pos++;
      return inner;
    }
    if (t.kind === 'rparen') throw new SearchSyntaxError('unbalanced parenthesis in search query');
    if (isKeyword(t, 'AND') || isKeyword(t, 'OR')) throw new SearchSyntaxError(`"${t.text}" needs a term on each side`);
    pos++;
    return { kind: 'term', field: t.field, comparator: t.comparator, value: t.value };
  }

  if (tokens.length === 0) return null;
  const node = orExpr();
  if (pos < tokens.length) throw new SearchSyntaxError('unbalanced parenthesis in search query');
  return node;
}

const STATUS_VALUES: Record<string, (f: SearchableFacts, i: number) => boolean> = {
  open: (f, i) => !f.closed(i) && !f.cancelled(i),
  closed: (f, i) => f.closed(i),
  cancelled: (f, i) => f.cancelled(i),
  not_closed: (f, i) => !f.closed(i),
  any: () => true,
};

function codes(list: readonly string[], names: string[]): Set<number> {
  return new Set(names.map((n) => list.indexOf(n)));
}
const FINANCIAL_VALUES: Record<string, Set<number>> = {
  ...Object.fromEntries(FINANCIAL_STATUSES.map((s) => [s.toLowerCase(), codes(FINANCIAL_STATUSES, [s])])),
  unpaid: codes(FINANCIAL_STATUSES, ['PENDING', 'AUTHORIZED', 'PARTIALLY_PAID']),
  any: codes(FINANCIAL_STATUSES, [...FINANCIAL_STATUSES]),
};
const FULFILLMENT_VALUES: Record<string, Set<number>> = {
  ...Object.fromEntries(FULFILLMENT_STATUSES.map((s) => [s.toLowerCase(), codes(FULFILLMENT_STATUSES, [s])])),
  shipped: codes(FULFILLMENT_STATUSES, ['FULFILLED']),
  partial: codes(FULFILLMENT_STATUSES, ['PARTIALLY_FULFILLED']),
  unshipped: codes(FULFILLMENT_STATUSES, ['UNFULFILLED']),
  any: codes(FULFILLMENT_STATUSES, [...FULFILLMENT_STATUSES]),
};

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A value to compare with: an instant (seconds, maybe fractional), or a span
 * [from, to) for a day (`YYYY-MM-DD`) or a minute (a time without seconds).
 */
type Operand = { instant: true; at: number } | { instant: false; from: number; to: number };

function dateOperand(value: string): Operand | undefined {
  if (DATE_ONLY.test(value)) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    return Number.isNaN(ms) ? undefined : { instant: false, from: ms / 1000, to: ms / 1000 + 86_400 };
  }
  if (!DATE_TIME.test(value)) return undefined;
  // Without an offset the shop reads the time as UTC (the sandbox's choice; Shopify uses the shop's zone).
  const normalized = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
  const ms = Date.parse(normalized.replace(' ', 'T'));
  if (Number.isNaN(ms)) return undefined;
  const sec = ms / 1000;
  return /\d:\d{2}:\d{2}/.test(value) ? { instant: true, at: sec } : { instant: false, from: sec, to: sec + 60 };
}

/** Timestamps are whole seconds, as Shopify's are: `:` on an instant is the same second. */
function compare(comparator: Comparator, read: (i: number) => number, operand: Operand): (i: number) => boolean {
  if (operand.instant) {
    const at = operand.at;
    switch (comparator) {
      case ':':
        return (i) => read(i) === Math.floor(at);
      case ':<':
        return (i) => read(i) < at;
      case ':<=':
        return (i) => read(i) <= at;
      case ':>':
        return (i) => read(i) > at;
      case ':>=':
        return (i) => read(i) >= at;
    }
  }
  const { from, to } = operand;
  switch (comparator) {
    case ':':
      return (i) => {
        const v = read(i);
        return v >= from && v < to;
      };
    case ':<':
      return (i) => read(i) < from;
    case ':<=':
      return (i) => read(i) < to;
    case ':>':
      return (i) => read(i) >= to;
    case ':>=':
      return (i) => read(i) >= from;
  }
}

type Compiled = ((index: number) => boolean) | 'ignored';
const NOTHING = () => false;

function compileTerm(term: Extract<Node, { kind: 'term' }>, facts: SearchableFacts, warnings: SearchWarning[]): Compiled {
  const invalid = (message: string): Compiled => {
    warnings.push({ field: term.field ?? 'default', message });
    return NOTHING;
  };
  if (term.field === null) {
    const m = /^#?(\d{1,9})$/.exec(term.value);
    if (!m) return NOTHING;
    const index = Number(m[1]) - ORDER_NUMBER_OFFSET;
    return (i) => i === index;
  }
  switch (term.field) {
    case 'created_at':
    case 'updated_at':
    case 'processed_at': {
      const operand = dateOperand(term.value);
      if (!operand) return invalid(`Invalid date value '${term.value}'.`);
      const read = term.field === 'updated_at' ? (i: number) => facts.updatedSec(i) : (i: number) => facts.createdSec(i);
      return compare(term.comparator, read, operand);
    }
    case 'id': {
      const m = /^(?:gid:\/\/shopify\/Order\/)?(\d{1,16})$/.exec(term.value);
      if (!m) return invalid(`Invalid id value '${term.value}'.`);
      const id = Number(m[1]);
      return compare(term.comparator, (i) => ID_BASE.order + i, { instant: true, at: id });
    }
    case 'status':
    case 'financial_status':
    case 'fulfillment_status': {
      if (term.comparator !== ':') return invalid(`Comparator '${term.comparator}' is not supported for '${term.field}'.`);
      const value = term.value.toLowerCase();
      if (term.field === 'status') {
        const test = STATUS_VALUES[value];
        if (!test) return invalid(`Invalid value '${term.value}' for 'status'.`);
        return (i) => test(facts, i);
      }
      const table = term.field === 'financial_status' ? FINANCIAL_VALUES : FULFILLMENT_VALUES;
      const set = table[value];
      if (!set) return invalid(`Invalid value '${term.value}' for '${term.field}'.`);
      return term.field === 'financial_status' ? (i) => set.has(facts.financial(i)) : (i) => set.has(facts.fulfillment(i));
    }
    default:
      warnings.push({ field: term.field, message: 'Invalid search field for this query.' });
      return 'ignored';
  }
}

function compileNode(node: Node, facts: SearchableFacts, warnings: SearchWarning[]): Compiled {
  switch (node.kind) {
    case 'term':
      return compileTerm(node, facts, warnings);
    case 'not': {
      const inner = compileNode(node.operand, facts, warnings);
      return inner === 'ignored' ? 'ignored' : (i) => !inner(i);
    }
    case 'and':
    case 'or': {
      const parts = node.operands.map((o) => compileNode(o, facts, warnings)).filter((p): p is (i: number) => boolean => p !== 'ignored');
      if (parts.length === 0) return 'ignored';
      if (parts.length === 1) return parts[0]!;
      return node.kind === 'and' ? (i) => parts.every((p) => p(i)) : (i) => parts.some((p) => p(i));
    }
  }
}

/** Parses and compiles a search query; throws SearchSyntaxError when it cannot be read at all. */
export function compileSearchQuery(query: string | null | undefined, facts: SearchableFacts): CompiledSearch {
  const warnings: SearchWarning[] = [];
  if (!query || !query.trim()) return { matches: null, warnings };
  const node = parse(tokenize(query));
  if (!node) return { matches: null, warnings };
  const compiled = compileNode(node, facts, warnings);
  return { matches: compiled === 'ignored' ? null : compiled, warnings };
}
