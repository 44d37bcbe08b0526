/**
 * Carry out `gridwatch allowlist add|remove` on Slack's anomaly allowlist and/or the config's local lists
 * (issue #11). Slack's `updateItem` overwrites the whole list, so every change is read → merge → show → confirm →
 * re-read → write → read back:
 * - the re-read just before writing catches a change made while the person was reading the prompt: the change is
 *   merged again onto the current list (their entries survive) and the new diff is reported;
 * - the read-back after writing catches a writer racing us in the last moment: it is reported, and the run fails
 *   when our own entries did not survive it.
 * Every outcome (done, failed, refused, cancelled, dry run) is appended to the action log, one record per list.
 */
import { readFileSync } from 'node:fs';
import type { WebClient } from '../slack/web-client.ts';
import type { ActionLog, ActionStatus, NewAction } from '../store/actions.ts';
import { editLocalAllowlist, readLocalAllowlist, writeFileAtomic } from '../config/edit.ts';
import {
  carries, diffAllowlists, isEmptyDiff, mergeAllowlist, renderDiff,
  type AllowlistDiff, type AllowlistEntries, type AllowlistOp, type AllowlistTarget,
} from './allowlist.ts';

/** One list a change can go to. */
export interface AllowlistSide {
  readonly name: 'slack' | 'local';
  /** Words for the person: "Slack's anomaly allowlist", "local allowlists in gridwatch.yaml". */
  readonly label: string;
  /** Extra fields recorded in the action's arguments (e.g. the config file). */
  readonly detail: Record<string, unknown>;
  read(): Promise<AllowlistEntries>;
  /** Replace the whole list. */
  write(next: AllowlistEntries): Promise<void>;
}

/**
 * Slack's list through the Web API client (`getItem` reads both ASN spellings; `updateItem` sends `trusted_asns`).
 *
 * @example slackSide(createWebClient({ token }))
 */
export function slackSide(client: WebClient): AllowlistSide {
  return {
    name: 'slack',
    label: "Slack's anomaly allowlist",
    detail: {},
    read: () => client.allowlistGet(),
    write: (next) => client.allowlistUpdate(next),
  };
}

/**
 * The config file's `allowlists.trusted_cidrs` / `trusted_asns`, edited in place (comments and layout kept). The
 * rules read it on their next run.
 *
 * @example localSide('gridwatch.yaml')
 */
export function localSide(file: string): AllowlistSide {
  return {
    name: 'local',
    label: `local allowlists in ${file}`,
    detail: { file },
    read: async () => readLocalAllowlist(readFileSync(file, 'utf8'), file),
    // Edit the text as it is now (not as first read): the change was merged onto a fresh read just before.
    write: async (next) => writeFileAtomic(file, editLocalAllowlist(readFileSync(file, 'utf8'), next, file)),
  };
}

export interface AllowlistChangeRequest {
  op: AllowlistOp;
  /** Checked entries (see `checkChange`). */
  change: AllowlistEntries;
  to: AllowlistTarget;
  sides: AllowlistSide[];
  /** `yes`: no question; `ask`: call `confirm`; `dry-run`: read and show, write nothing. */
  mode: 'yes' | 'ask' | 'dry-run';
  /** Asks the person; absent when there is no terminal to ask on (the change is then refused before any call). */
  confirm?: (question: string) => Promise<boolean>;
  log: ActionLog;
  actor: string;
  reason?: string | null;
  alertId?: string | null;
  /** Where the lines for the person go. */
  print: (line: string) => void;
  /** Scrubs a secret from every message printed or recorded (the CLI passes `redact` with the token). */
  clean?: (text: string) => string;
}

export interface AllowlistChangeResult {
  /** False when anything failed, was refused or cancelled, or the change did not survive a concurrent write. */
  ok: boolean;
  /** One line saying why, when not ok. */
  message: string | null;
}

interface SideState {
  side: AllowlistSide;
  before: AllowlistEntries;
  plan: ReturnType<typeof mergeAllowlist>;
}

/** The code recorded as `slack_error` for a failure: Slack's code, else `network`/`local` by side. */
function errorCode(e: unknown, side: AllowlistSide): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code ? code : side.name === 'slack' ? 'network' : 'local';
}

const count = (l: AllowlistEntries): string => `${l.cidrs.length} CIDR${l.cidrs.length === 1 ? '' : 's'}, ${l.asns.length} ASN${l.asns.length === 1 ? '' : 's'}`;
const indent = (lines: string[]): string => lines.map((l) => `  ${l}`).join('\n');

/**
 * Run one allowlist change end to end. Never throws for Slack or file errors: they are printed, recorded as
 * `failed` and reported in the result.
 *
 * @example
 * const r = await runAllowlistChange({ op: 'add', change: { cidrs: ['192.0.2.0/24'], asns: [] }, to: 'slack',
 *   sides: [slackSide(client)], mode: 'yes', log: store.actionLog(), actor: 'cli:alice', print: console.log });
 */
export async function runAllowlistChange(input: AllowlistChangeRequest): Promise<AllowlistChangeResult> {
  const clean = input.clean ?? ((t: string) => t);
  const req = { ...input, print: (line: string) => input.print(clean(line)) };
  const record = async (side: AllowlistSide, status: ActionStatus, extra: { diff?: AllowlistDiff | null; message?: string | null; error?: string | null } = {}): Promise<void> => {
    const entry: NewAction = {
      actor: req.actor,
      action: `allowlist.${req.op}`,
      targets: [side.name],
      arguments: { cidrs: req.change.cidrs, asns: req.change.asns, to: req.to, ...side.detail },
      reason: req.reason ?? null,
      alert_id: req.alertId ?? null,
      status,
      slack: side.name === 'slack' && extra.error !== undefined ? { ok: extra.error === null, ...(extra.error ? { error: clean(extra.error) } : {}) } : null,
      slack_error: side.name === 'slack' && extra.error ? clean(extra.error) : null,
      message: extra.message == null ? null : clean(extra.message),
      diff: extra.diff ?? null,
    };
    await req.log.append(entry);
  };
  const fail = async (message: string, status: ActionStatus, sides: AllowlistSide[], extra: { error?: string | null } = {}): Promise<AllowlistChangeResult> => {
    for (const s of sides) await record(s, status, { message, ...extra });
    return { ok: false, message };
  };

  // Without --yes and without a terminal there is nobody to ask: refuse before touching anything.
  if (req.mode === 'ask' && !req.confirm) {
    return fail('not a terminal, so nobody can confirm: run it again with --yes to apply, or --dry-run to see the diff; nothing was read or written', 'refused', req.sides);
  }

  const states: SideState[] = [];
  for (const side of req.sides) {
    let before: AllowlistEntries;
    try {
      before = await side.read();
    } catch (e) {
      return fail(`reading ${side.label} failed: ${(e as Error).message}; nothing was written`, 'failed', req.sides, { error: errorCode(e, side) });
    }
    const plan = mergeAllowlist(before, req.op, req.change);
    states.push({ side, before, plan });
    req.print(`${side.label} (now ${count(before)}):\n${indent(renderDiff(plan.diff))}`);
    const already = [...plan.unchanged.cidrs.map((c) => `cidr ${c}`), ...plan.unchanged.asns.map((a) => `asn ${a}`)];
    if (already.length) req.print(`  ${req.op === 'add' ? 'already there' : 'not there'}: ${already.join(', ')}`);
  }

  if (req.mode === 'dry-run') {
    for (const s of states) await record(s.side, 'dry_run', { diff: s.plan.diff, message: 'dry run: nothing was written' });
    req.print('dry run: nothing was written');
    return { ok: true, message: null };
  }
  const pending = states.filter((s) => !isEmptyDiff(s.plan.diff));
  if (req.mode === 'ask' && pending.length > 0) {
    const where = pending.map((s) => s.side.label).join(' and ');
    let yes = false;
    try {
      yes = await req.confirm!(`Write ${where} with the change above?`);
    } catch {
      yes = false;
    }
    if (!yes) return fail('cancelled; nothing was written', 'cancelled', states.map((s) => s.side));
  }

  let ok = true;
  let firstProblem: string | null = null;
  const problem = (m: string): void => {
    ok = false;
    firstProblem ??= m;
    req.print(m);
  };
  for (const s of states) {
    const { side } = s;
    // Slack's list is checked again right before the write: a person may have spent minutes on the prompt.
    let plan = s.plan;
    let note: string | null = null;
    try {
      const fresh = await side.read();
      const moved = diffAllowlists(s.before, fresh);
      if (!isEmptyDiff(moved)) {
        plan = mergeAllowlist(fresh, req.op, req.change);
        note = `${side.label} changed since it was read (${renderDiff(moved).join(', ')}); the change was applied to the current list instead`;
        req.print(`${note}:\n${indent(renderDiff(plan.diff))}`);
      }
    } catch (e) {
      await record(side, 'failed', { error: errorCode(e, side), message: `re-reading ${side.label} failed: ${(e as Error).message}; nothing was written` });
      problem(`re-reading ${side.label} failed: ${(e as Error).message}; nothing was written`);
      continue;
    }
    if (isEmptyDiff(plan.diff)) {
      const m = note ?? `${side.label}: nothing to change`;
      await record(side, 'done', { diff: plan.diff, message: m, error: null });
      req.print(`${side.label}: nothing to change`);
      continue;
    }
    try {
      await side.write(plan.next);
    } catch (e) {
      const m = `writing ${side.label} failed: ${(e as Error).message}`;
      await record(side, 'failed', { diff: plan.diff, error: errorCode(e, side), message: m });
      problem(m);
      continue;
    }
    // Read back: a blind write by someone else right after ours would silently undo it.
    let after: AllowlistEntries | null = null;
    try {
      after = await side.read();
    } catch (e) {
      note = [note, `written, but reading it back failed: ${(e as Error).message}`].filter(Boolean).join('; ');
    }
    if (after && !isEmptyDiff(diffAllowlists(plan.next, after))) {
      const drift = renderDiff(diffAllowlists(plan.next, after)).join(', ');
      const lost = !carries(after, req.op, req.change);
      const m = `${side.label} changed again right after the write (${drift}): another writer${lost ? ' undid this change; run it again' : ' changed other entries; this change is in place'}`;
      note = [note, m].filter(Boolean).join('; ');
      if (lost) {
        await record(side, 'done', { diff: plan.diff, error: null, message: note });
        problem(m);
        continue;
      }
      req.print(m);
    }
    await record(side, 'done', { diff: plan.diff, error: null, message: note });
    req.print(`${side.label}: written (now ${count(after ?? plan.next)})`);
  }
  return { ok, message: firstProblem };
}
