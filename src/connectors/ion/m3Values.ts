/**
 * M3's all-string records typed once, here at the edge (upstreams.md:
 * "Every value is a string"): text trimmed (M3 right-pads), quantities and
 * weights as exact decimals (never floats), dates from YMD8 (`20260115`,
 * `0` or empty for none) to ISO calendar dates.
 */
import { normalizeQuantity } from '../../domain/quantity.js';

export class M3ValueError extends Error {
  override name = 'M3ValueError';
}

export function text(record: Readonly<Record<string, string>>, field: string): string {
  return (record[field] ?? '').trim();
}

/** An exact decimal, or null for an empty field. */
export function decimal(record: Readonly<Record<string, string>>, field: string): string | null {
  const raw = text(record, field);
  if (raw === '') return null;
  const value = normalizeQuantity(raw);
  if (value === undefined) throw new M3ValueError(`field ${field} is not a decimal number`);
  return value;
}

/** A decimal that must be there (a stock figure); empty counts as 0. */
export function quantity(record: Readonly<Record<string, string>>, field: string): string {
  return decimal(record, field) ?? '0';
}

/** A YMD8 date as an ISO date, or null for none. */
export function ymd8(record: Readonly<Record<string, string>>, field: string): string | null {
  const raw = text(record, field);
  if (raw === '' || /^0+$/.test(raw)) return null;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(raw);
  if (!m) throw new M3ValueError(`field ${field} is not a YMD8 date`);
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) throw new M3ValueError(`field ${field} is not a calendar date`);
  return iso;
}
