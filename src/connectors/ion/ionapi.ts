/**
 * The `.ionapi` credentials file (upstreams.md): a JSON object with `ti`
 * (tenant), `cn` (app name), `ci`/`cs` (OAuth2 client id and secret), `iu`
 * (the ION API gateway's base URL), `pu` (the authorization server's base,
 * e.g. `https://…-sso.infor.com:443/TENANT/as/`), `oa`/`ot`/`or` (the
 * authorization, token and revocation endpoints below `pu`) and `saak`/
 * `sask` (the service account's access and secret keys). Read once at start;
 * problems name the field, never its value (several are secrets).
 */
import { readFileSync } from 'node:fs';

export interface IonCredentials {
  tenant: string;
  appName?: string;
  clientId: string;
  clientSecret: string;
  /** `iu` without a trailing slash. */
  gatewayUrl: string;
  /** `pu`, ending with a slash (the endpoints are relative to it). */
  authUrl: string;
  tokenPath: string;
  /** Absent: the grant cannot be revoked (nothing is revoked on shutdown). */
  revokePath?: string;
  serviceAccountAccessKey: string;
  serviceAccountSecretKey: string;
}

/** The file's fields, as the ION_* variables that may override them (one each). */
export const IONAPI_FIELDS = ['ti', 'cn', 'ci', 'cs', 'iu', 'pu', 'ot', 'or', 'saak', 'sask'] as const;
export type IonApiField = (typeof IONAPI_FIELDS)[number];

const REQUIRED: readonly IonApiField[] = ['ti', 'ci', 'cs', 'iu', 'pu', 'ot', 'saak', 'sask'];

/** Reads an `.ionapi` file into its fields; problems are pushed, naming `where` and the field. */
export function readIonApiFile(path: string, where: string, problems: string[]): Partial<Record<IonApiField, string>> {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`${where}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return {};
  }
  return ionApiFields(raw, where, problems);
}

/** The fields of an `.ionapi` document (text or parsed JSON). */
export function ionApiFields(doc: unknown, where: string, problems: string[]): Partial<Record<IonApiField, string>> {
  let parsed: unknown = doc;
  if (typeof doc === 'string') {
    try {
      parsed = JSON.parse(doc.replace(/^\uFEFF/, ''));
    } catch {
      problems.push(`${where}: not a JSON .ionapi document`);
      return {};
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`${where}: not a JSON object`);
    return {};
  }
  const out: Partial<Record<IonApiField, string>> = {};
  for (const field of IONAPI_FIELDS) {
    const v = (parsed as Record<string, unknown>)[field];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string') {
      problems.push(`${where}: field "${field}" must be a string`);
      continue;
    }
    out[field] = v.trim();
  }
  return out;
}

function httpUrl(value: string): URL | undefined {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

/** A relative endpoint below `pu`: path characters only, no walking up. */
const ENDPOINT = /^[A-Za-z0-9._~/-]{1,200}$/;

/** The credentials from merged fields; undefined (with problems pushed) when a field is missing or malformed. */
export function ionCredentials(fields: Partial<Record<IonApiField, string>>, where: (field: IonApiField) => string, problems: string[]): IonCredentials | undefined {
  const before = problems.length;
  for (const field of REQUIRED) if (!fields[field]) problems.push(`${where(field)} is missing`);
  if (problems.length > before) return undefined;
  const f = fields as Record<IonApiField, string>;
  const iu = httpUrl(f.iu);
  if (!iu) problems.push(`${where('iu')} must be an http(s) URL`);
  const pu = httpUrl(f.pu);
  if (!pu) problems.push(`${where('pu')} must be an http(s) URL`);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(f.ti)) problems.push(`${where('ti')} must be a tenant name (letters, digits, _ and -)`);
  for (const field of ['ot', 'or'] as const) {
    const v = fields[field];
    if (v !== undefined && (!ENDPOINT.test(v) || v.split('/').some((s) => s === '..' || s === '.'))) problems.push(`${where(field)} must be a path below pu`);
  }
  if (problems.length > before || !iu || !pu) return undefined;
  return {
    tenant: f.ti,
    appName: fields.cn,
    clientId: f.ci,
    clientSecret: f.cs,
    gatewayUrl: f.iu.replace(/\/+$/, ''),
    authUrl: f.pu.endsWith('/') ? f.pu : `${f.pu}/`,
    tokenPath: f.ot.replace(/^\/+/, ''),
    revokePath: fields.or?.replace(/^\/+/, ''),
    serviceAccountAccessKey: f.saak,
    serviceAccountSecretKey: f.sask,
  };
}
