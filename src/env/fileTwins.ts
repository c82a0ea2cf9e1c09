/**
 * Secrets from files: every secret variable accepts a `NAME_FILE` twin whose
 * value is a path to a file holding the secret (the Docker and Kubernetes
 * secrets convention: `docker secret`, a mounted Secret volume). The content is
 * trimmed (editors and `echo` add a newline) and goes where `NAME` would have;
 * it is never logged (config errors name variables, never values).
 *
 * Secret variables are those whose names end in `_TOKEN`, `_SECRET`, `_KEY` or
 * `_PASSWORD`, the URLs that may carry credentials (`DATABASE_URL`,
 * `REDIS_URL`), and the ERP's `.ionapi` secrets, named after the file's
 * fields (`cs` the client secret, `saak`/`sask` the service account's keys:
 * Infor's "ION API Gateway" credentials file) rather than by the rule. `CROSSDOCK_API_KEYS_FILE` is not a twin: it is the keys file,
 * JSON records of their own (auth/keysFile.ts).
 */
import { readFileSync } from 'node:fs';

const SECRET_NAME = /_(TOKEN|SECRET|KEY|PASSWORD)$/;
const SECRET_NAMES = new Set(['DATABASE_URL', 'REDIS_URL', 'ION_CS', 'ION_SAAK', 'ION_SASK']);

/** Whether `name` is a secret variable that accepts a `_FILE` twin. */
export function hasFileTwin(name: string): boolean {
  return SECRET_NAME.test(name) || SECRET_NAMES.has(name);
}

/**
 * The environment with every `NAME_FILE` of a known secret variable read into
 * `NAME`. Both set is a problem naming the variable; so is a file that cannot be read.
 */
export function resolveFileTwins(env: NodeJS.ProcessEnv, known: readonly string[]): { env: NodeJS.ProcessEnv; problems: string[] } {
  const out: NodeJS.ProcessEnv = { ...env };
  const problems: string[] = [];
  for (const name of known) {
    if (!hasFileTwin(name)) continue;
    const path = env[`${name}_FILE`];
    if (path === undefined || path.trim() === '') continue;
    if (env[name] !== undefined && env[name]!.trim() !== '') {
      problems.push(`${name} and ${name}_FILE are both set; set one of them`);
      continue;
    }
    try {
      out[name] = readFileSync(path.trim(), 'utf8').trim();
    } catch (err) {
      problems.push(`${name}_FILE: the file cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    delete out[`${name}_FILE`];
  }
  return { env: out, problems };
}
