/**
 * Options of the `gridwatch sim` command: flags in, `SimulatorOptions` out, with errors that name the flag; and the
 * lines the command prints once the simulator listens.
 */
import { DEFAULT_AUDIT_RATE_LIMIT } from './ratelimit.ts';
import type { SimulatorOptions, Simulator, TokenKind } from './server.ts';
import { STORY } from './story.ts';

/**
 * A bad flag value; `flag` is the flag as typed (`--error-rate`), so the command can point at it.
 *
 * @example
 * try { simOptionsFromCli({ port: 'x' }); } catch (e) { if (e instanceof SimCliError) console.error(e.message); }
 */
export class SimCliError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
    this.name = 'SimCliError';
  }
}

/** The flags `gridwatch sim` accepts, each with the key commander would give it too. */
export const SIM_FLAGS = [
  'port', 'seed', 'days', 'users', 'error-rate', 'slow-rate', 'slow-ms', 'truncate-rate', 'duplicate-rate',
  'cursor-expiry', 'cursor-invalid-rate', 'late-fraction', 'late-delay', 'late-release-after', 'rate-limit',
  'rate-burst',
] as const;

export type SimFlag = (typeof SIM_FLAGS)[number];
export type SimCliFlags = Record<string, string | boolean | undefined>;

const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function raw(flags: SimCliFlags, flag: SimFlag): string | undefined {
  const v = flags[flag] ?? flags[camel(flag)];
  if (v === undefined || v === false) return undefined;
  if (v === true) throw new SimCliError(`--${flag}`, 'needs a value');
  return v;
}

function integer(flags: SimCliFlags, flag: SimFlag, min: number, max: number): number | undefined {
  const v = raw(flags, flag);
  if (v === undefined) return undefined;
  if (!/^\s*-?\d+\s*$/.test(v)) throw new SimCliError(`--${flag}`, `expected a whole number, got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw new SimCliError(`--${flag}`, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function rate(flags: SimCliFlags, flag: SimFlag): number | undefined {
  const v = raw(flags, flag);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new SimCliError(`--${flag}`, `expected a fraction between 0 and 1 (e.g. 0.05), got "${v}"`);
  }
  return n;
}

/**
 * Map `gridwatch sim` flags to simulator options. Flags may be keyed as typed (`error-rate`) or camelCased
 * (`errorRate`, as commander stores them); unknown keys are ignored so the command can have flags of its own.
 *
 * @example
 * simOptionsFromCli({ port: '8787', 'error-rate': '0.05', 'rate-limit': '0' })
 * // { port: 8787, rateLimit: false, faults: { errorRate: 0.05 } }
 * simOptionsFromCli({ 'rate-burst': '5' }) // { rateLimit: { perMinute: 50, burst: 5 } }
 */
export function simOptionsFromCli(flags: SimCliFlags): SimulatorOptions {
  const out: SimulatorOptions = {};
  const set = <K extends keyof SimulatorOptions>(k: K, v: SimulatorOptions[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('port', integer(flags, 'port', 0, 65535));
  set('seed', integer(flags, 'seed', 0, 0xffffffff));
  set('days', integer(flags, 'days', 1, 366));
  set('users', integer(flags, 'users', 1, 100_000));
  set('lateReleaseAfterSec', integer(flags, 'late-release-after', 0, 86400 * 365));
  const perMinute = integer(flags, 'rate-limit', 0, 1_000_000);
  const burst = integer(flags, 'rate-burst', 1, 1_000_000);
  if (perMinute === 0 && burst !== undefined) throw new SimCliError('--rate-burst', 'has no effect with --rate-limit 0 (rate limit off)');
  if (perMinute === 0) out.rateLimit = false;
  else if (perMinute !== undefined || burst !== undefined) {
    // A burst alone shapes the default rate; without one, the limit stays a sliding window.
    out.rateLimit = { perMinute: perMinute ?? DEFAULT_AUDIT_RATE_LIMIT.perMinute, ...(burst !== undefined && { burst }) };
  }

  const faults: NonNullable<SimulatorOptions['faults']> = {};
  const fault = <K extends keyof typeof faults>(k: K, v: (typeof faults)[K] | undefined): void => {
    if (v !== undefined) faults[k] = v;
  };
  fault('errorRate', rate(flags, 'error-rate'));
  fault('slowRate', rate(flags, 'slow-rate'));
  fault('slowMs', integer(flags, 'slow-ms', 0, 600_000));
  fault('truncateRate', rate(flags, 'truncate-rate'));
  fault('duplicateRate', rate(flags, 'duplicate-rate'));
  const expiry = integer(flags, 'cursor-expiry', 0, 86400 * 365);
  if (expiry !== undefined && expiry > 0) faults.cursorExpirySec = expiry;
  fault('cursorInvalidRate', rate(flags, 'cursor-invalid-rate'));
  fault('lateFraction', rate(flags, 'late-fraction'));
  fault('lateDelaySec', integer(flags, 'late-delay', 0, 86400 * 365));
  if (Object.keys(faults).length > 0) out.faults = faults;
  return out;
}

const TOKEN_ROLES: Record<TokenKind, string> = {
  owner: 'org owner, auditlogs:read: reads /audit/v1/logs',
  workspace: 'workspace-level install: /logs answers 403 team_not_authorized',
  noScope: 'org owner without auditlogs:read: /logs answers 401 invalid_authentication',
  adminWeb: 'org admin with admin, admin.users:read, admin.users:write: every admin Web API method (/logs answers 401)',
  adminReadOnly: 'org admin with admin.users:read only: session.list works, the rest answer missing_scope',
  member: 'a member, not an admin, with the admin scopes: the admin methods answer not_an_admin',
  notEnterprise: 'org not on Enterprise Grid: /logs answers 403 feature_not_enabled',
};

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

/**
 * The lines `gridwatch sim` prints: where to point a collector, which token does what, and what is switched on.
 *
 * @example
 * for (const line of describeSimulator(sim)) console.log(line);
 */
export function describeSimulator(sim: Simulator): string[] {
  const o = sim.options;
  const all = sim.events();
  const visible = sim.visibleIds().size;
  const lines = [
    `Slack API simulator listening on ${sim.url}`,
    `  Audit Logs API: ${sim.auditBaseUrl}  (GET /logs needs a token; /schemas and /actions are open)`,
    `  Web API:        ${sim.webApiBaseUrl}`,
    `  Events: ${all.length} held, ${visible} visible now${all.length > visible ? `, ${all.length - visible} arriving late` : ''}` +
      (sim.users.length > 0 ? `; ${sim.users.length} users` : ''),
  ];
  if (sim.users.some((u) => u.id === STORY.userId)) {
    lines.push(`  Story: ${STORY.name} (${STORY.userId}) scrapes ${STORY.fileName} with "${STORY.scraperUa}" on the last day`);
  }
  lines.push('  Tokens (Authorization: Bearer <token>):');
  for (const k of Object.keys(TOKEN_ROLES) as TokenKind[]) lines.push(`    ${sim.tokens[k]}  ${TOKEN_ROLES[k]}`);
  const rl = o.rateLimit;
  lines.push(
    rl === false
      ? '  Rate limit: off'
      : `  Rate limit: ${rl?.perMinute ?? DEFAULT_AUDIT_RATE_LIMIT.perMinute} calls per ${rl?.windowSec ?? 60} s` +
        `${rl?.burst !== undefined ? `, bursts of ${rl.burst} (token bucket)` : ' (sliding window)'}, org-wide (429 + Retry-After)`,
  );
  const f = o.faults ?? {};
  const on: string[] = [];
  if (f.errorRate) on.push(`5xx ${pct(f.errorRate)}`);
  if (f.slowRate) on.push(`slow ${pct(f.slowRate)} (${f.slowMs ?? 2000} ms)`);
  if (f.truncateRate) on.push(`truncated body ${pct(f.truncateRate)}`);
  if (f.duplicateRate) on.push(`duplicates ${pct(f.duplicateRate)}`);
  if (f.cursorExpirySec) on.push(`cursors expire after ${f.cursorExpirySec} s`);
  if (f.cursorInvalidRate) on.push(`lost cursors ${pct(f.cursorInvalidRate)}`);
  if (f.lateFraction) on.push(`late arrivals ${pct(f.lateFraction)} (+${f.lateDelaySec ?? 1800} s)`);
  if (o.lateReleaseAfterSec !== undefined) on.push(`all late events released ${o.lateReleaseAfterSec} s after start`);
  lines.push(`  Faults: ${on.length > 0 ? on.join(', ') : 'none'}`);
  return lines;
}
