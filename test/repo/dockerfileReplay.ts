/**
 * Replays a Dockerfile's build steps on this machine, one directory per stage,
 * for the suite's image test (no Docker engine runs where the suite runs).
 *
 * Each stage gets its own root folder standing in for the image's filesystem;
 * WORKDIR, COPY (from the build context, honouring .dockerignore, or
 * `--from=<stage>`) and ENV do what Docker does under that root; RUN executes
 * the same command with `sh -c` in the stage's WORKDIR. Two kinds of RUN cannot
 * run outside an image and are skipped, each reported: system packages
 * (`apt-get …`, which the test machine provides) and ownership of absolute
 * image paths (`mkdir -p /x && chown …`). A test checks the skipped list, so a
 * new step can never be skipped silently.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';

export interface Stage {
  name: string;
  root: string;
  workdir: string;
  env: Record<string, string>;
  cmd?: string[];
  healthcheck?: string[];
  user?: string;
}

export interface Replay {
  stages: Map<string, Stage>;
  final: Stage;
  ran: string[];
  skipped: string[];
}

interface Instruction {
  op: string;
  args: string;
}

/** Instructions with `\` continuations joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = pending + line;
    pending = '';
    const m = /^(\w+)\s+(.*)$/s.exec(full);
    if (m) out.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim() });
  }
  return out;
}

/** Docker's exec form (`["a", "b"]`) or a shell-form string. */
function execForm(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : ['sh', '-c', args];
}

const SYSTEM_STEP = /^(apt-get\s|rm -rf \/var\/lib\/apt\/lists)/;
const OWNERSHIP_STEP = /^(mkdir -p \/\S+|chown \S+ \/\S+)$/;

function skipReason(command: string): string | undefined {
  const parts = command.split('&&').map((p) => p.trim());
  if (parts.every((p) => SYSTEM_STEP.test(p))) return 'system packages (provided by the test machine)';
  if (parts.every((p) => OWNERSHIP_STEP.test(p))) return 'ownership of an image path';
  return undefined;
}

function ignoreFilter(context: string): (src: string) => boolean {
  const file = join(context, '.dockerignore');
  const patterns = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
  const toRegex = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/|$)`);
  const rules = patterns.map(toRegex);
  return (src) => {
    const rel = relative(context, src);
    return rel === '' || !rules.some((r) => r.test(rel) || r.test(basename(rel)));
  };
}

/**
 * Runs every stage of `dockerfile` under `outDir`, `context` being the build
 * context. Throws on the first RUN that fails, with its output.
 */
export async function replayDockerfile(opts: { dockerfile: string; context: string; outDir: string; env?: Record<string, string>; timeoutMs?: number }): Promise<Replay> {
  const instructions = parseDockerfile(readFileSync(opts.dockerfile, 'utf8'));
  const stages = new Map<string, Stage>();
  const args: Record<string, string> = {};
  const ran: string[] = [];
  const skipped: string[] = [];
  const keep = ignoreFilter(opts.context);
  let stage: Stage | undefined;
  const path = (s: Stage, p: string) => join(s.root, isAbsolute(p) ? p : join(s.workdir, p));

  for (const { op, args: rest } of instructions) {
    if (op === 'ARG') {
      const [k, v] = rest.split('=');
      if (v !== undefined) args[k!] = v;
      continue;
    }
    if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      const name = m?.[2] ?? `stage${stages.size}`;
      stage = { name, root: join(opts.outDir, name), workdir: '/', env: {} };
      mkdirSync(stage.root, { recursive: true });
      stages.set(name, stage);
      continue;
    }
    if (!stage) throw new Error(`${op} before FROM`);
    switch (op) {
      case 'WORKDIR':
        stage.workdir = isAbsolute(rest) ? rest : join(stage.workdir, rest);
        mkdirSync(path(stage, '.'), { recursive: true });
        break;
      case 'ENV':
        for (const m of rest.matchAll(/(\w+)=("[^"]*"|\S+)/g)) stage.env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
        break;
      case 'COPY': {
        const words = rest.split(/\s+/);
        const from = words[0]!.startsWith('--from=') ? stages.get(words.shift()!.slice('--from='.length)) : undefined;
        const dest = words.pop()!;
        for (const src of words) {
          const source = from ? join(from.root, isAbsolute(src) ? src : join(from.workdir, src)) : join(opts.context, src);
          if (!existsSync(source)) throw new Error(`COPY: ${src} does not exist`);
          const target = dest.endsWith('/') || words.length > 1 ? join(path(stage, dest), basename(src)) : path(stage, dest);
          mkdirSync(statSync(source).isDirectory() ? target : join(target, '..'), { recursive: true });
          cpSync(source, target, { recursive: true, filter: from ? undefined : keep });
        }
        break;
      }
      case 'RUN': {
        const reason = skipReason(rest);
        if (reason) {
          skipped.push(`${stage.name}: ${rest} — ${reason}`);
          break;
        }
        const res = await run(rest, path(stage, '.'), { ...process.env, ...opts.env, ...stage.env }, opts.timeoutMs ?? 300_000);
        if (res.code !== 0) throw new Error(`RUN ${rest} (stage ${stage.name}) failed: ${res.code}\n${res.output}`);
        ran.push(`${stage.name}: ${rest}`);
        break;
      }
      case 'CMD':
        stage.cmd = execForm(rest);
        break;
      case 'HEALTHCHECK': {
        const m = /CMD\s+(.*)$/s.exec(rest);
        if (m) stage.healthcheck = execForm(m[1]!.trim());
        break;
      }
      case 'USER':
        stage.user = rest;
        break;
      case 'EXPOSE':
        break;
      default:
        throw new Error(`the replay does not know ${op}; teach it before using it in the Dockerfile`);
    }
  }
  if (!stage) throw new Error('no stage');
  return { stages, final: stage, ran, skipped };
}

/** `sh -c command`, asynchronously (a build step takes a minute; the test runner must stay responsive), with a deadline. */
function run(command: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | string; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-64_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? 'killed', output });
    });
  });
}
