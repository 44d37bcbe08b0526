/**
 * What every route handler can reach: the stores, the enrichment environment (trusted networks, ASN data, expected
 * user agents), the auth tables, the rollups and the log. Built once by `createServer`.
 */
import type { AlertStore } from '../alerts/types.ts';
import type { DetectEnv } from '../detect/env.ts';
import type { RuleDef } from '../detect/rule-schema.ts';
import type { OpenedStore } from '../store/index.ts';
import type { SlackAdmin } from '../respond/playbook.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import type { LoginRateLimiter } from './auth/rate-limit.ts';
import type { Session, Sessions } from './auth/sessions.ts';
import type { Accounts } from './auth/users.ts';
import type { Rollups } from './rollup.ts';

export interface ServerDeps {
  store: OpenedStore;
  /** Null when the database has no alerts table (detection not installed). */
  alerts: AlertStore | null;
  env: DetectEnv;
  /** The enabled rules, the config's overrides applied: the user page charts the baseline rule's own limit. */
  rules: readonly RuleDef[];
  accounts: Accounts;
  sessions: Sessions;
  limiter: LoginRateLimiter;
  rollups: Rollups;
  clock: Clock;
  /**
   * One line per notable request or failure: a fixed message, untrusted values (names, addresses, paths) as fields.
   * Never passwords, tokens or Slack credentials.
   */
  log: Logger;
  /** The admin Web API token of the server process (respond and allowlist routes); null: those routes answer 503. Never sent to a client. */
  slackAdmin?: SlackAdmin | null;
  /** Served over TLS: cookies get `Secure` and the `__Host-` prefix, and HSTS is sent. */
  tls: boolean;
  /** Origin of `--public-url` (`https://gw.example.com`), also our own for CSRF checks behind a TLS proxy. */
  publicOrigin?: string;
}

/** Hono's environment type for this app: `c.get('deps')`, `c.get('session')`. */
export type AppEnv = {
  Variables: {
    deps: ServerDeps;
    session: Session | null;
  };
};
