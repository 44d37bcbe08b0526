/**
 * `gridwatch serve`: the web UI and JSON API over the database, on 127.0.0.1:8080 by default, until SIGINT/SIGTERM.
 * Also exports `startUi` and `waitForShutdown` so `gridwatch run` and the demo embed the same behaviour.
 */
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { AlertStore } from '../../alerts/types.ts';
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { slackAdminFromEnv } from '../compose.ts';
import type { SlackAdmin } from '../../respond/playbook.ts';
import { resolveAdminToken } from '../../slack/token.ts';
import { createServer, ensureAdmin, ensureDemoLogin, type RunningServer } from '../../server/index.ts';
import type { OpenedStore } from '../../store/index.ts';
import { streamLogger } from '../../util/log.ts';
import { CliError, type CliContext } from '../context.ts';
import { cliInt } from '../parse.ts';

export interface UiOptions {
  host?: string;
  port?: number;
  allowRemote?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  /** `--public-url`: the address people use (behind a reverse proxy); its host is answered too. */
  publicUrl?: string;
  /** `--allowed-host` (repeatable): more host names to answer for. */
  allowedHost?: string[];
  config?: Config;
  alerts?: AlertStore | null;
  /** When the port is taken, take any free port instead of failing (the demo). */
  portFallback?: boolean;
  /** Print a fresh login for a `demo` admin account instead of the first-run admin password (the demo). */
  demoLogin?: boolean;
  /** `--admin-token-file`: the admin Web API token for the respond routes (default: `SLACK_ADMIN_TOKEN`). */
  adminTokenFile?: string;
  /** Where `SLACK_ADMIN_TOKEN` and `SLACK_API_URL` are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The admin credentials themselves, resolved by the caller (`run`, the demo's own simulator): wins over both. */
  slackAdmin?: SlackAdmin | null;
}

/**
 * The process's admin credentials: `--admin-token-file` wins over `SLACK_ADMIN_TOKEN`, base URL `SLACK_API_URL`; none →
 * the respond routes answer 503 and automatic playbook actions wait for a person. An unreadable file is a `CliError`.
 *
 * @example const admin = adminCredentials({ adminTokenFile: '/run/secrets/slack-admin' });
 */
export function adminCredentials(o: Pick<UiOptions, 'adminTokenFile' | 'env' | 'slackAdmin'>): SlackAdmin | null {
  if (o.slackAdmin !== undefined) return o.slackAdmin;
  const env = o.env ?? process.env;
  if (!o.adminTokenFile) return slackAdminFromEnv(env);
  try {
    return { token: resolveAdminToken({ tokenFile: o.adminTokenFile, env }), baseUrl: env.SLACK_API_URL?.trim() || undefined };
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/**
 * Create the first admin if there is none (printing its one-time password once), start the server and print its
 * URL. Errors (port taken, address refused, unreadable certificate) become a `CliError` with the reason.
 *
 * @example
 * const ui = await startUi(store, { port: 8080 }, ctx.stdout, ctx.stderr);
 * await waitForShutdown();
 * await ui.close();
 */
export async function startUi(store: OpenedStore, o: UiOptions, out: Writable, err: Writable): Promise<RunningServer> {
  if (!!o.tlsCert !== !!o.tlsKey) throw new CliError('--tls-cert and --tls-key go together', 2);
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (o.tlsCert && o.tlsKey) {
    try {
      tls = { cert: readFileSync(o.tlsCert), key: readFileSync(o.tlsKey) };
    } catch (e) {
      throw new CliError(`cannot read the TLS certificate or key: ${(e as Error).message}`);
    }
  }
  const start = (port: number | undefined) =>
    createServer({
      store,
      alerts: o.alerts,
      config: o.config,
      host: o.host,
      port,
      allowRemote: o.allowRemote,
      tls,
      publicUrl: o.publicUrl,
      allowedHosts: o.allowedHost,
      slackAdmin: adminCredentials(o),
      log: streamLogger(err, 'gridwatch serve'),
    });
  let srv: RunningServer;
  try {
    srv = await start(o.port).catch((e: Error & { code?: string }) => {
      if (o.portFallback && e.code === 'EADDRINUSE') return start(0);
      throw e;
    });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (o.demoLogin) {
    const login = await ensureDemoLogin(store.accountStore());
    out.write(`gridwatch UI: ${srv.url}/\n`);
    out.write(`Log in as "${login.name}" with the password ${login.password} (new on every demo run).\n`);
    return srv;
  }
  const password = await ensureAdmin(store.accountStore());
  out.write(`gridwatch UI: ${srv.url}/\n`);
  if (password) {
    // Printed once, on the terminal only: it is not stored anywhere but as a hash, and must be changed at first login.
    out.write(`First run: log in as "admin" with the one-time password ${password} (you will choose your own).\n`);
  }
  return srv;
}

/**
 * Resolve on the first SIGINT or SIGTERM (both listeners are removed afterwards).
 *
 * @example await waitForShutdown(); // then close what was started
 */
export function waitForShutdown(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (sig: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(sig);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The shared serve flags, for `serve`, `run` and `demo`. */
export function withServeOptions(cmd: Command): Command {
  return cmd
    .option('--host <address>', 'address to listen on (default 127.0.0.1; anything else needs --allow-remote)', '127.0.0.1')
    .option('--port <n>', 'port (default 8080; 0 for any free port)', cliInt(0, 65535), 8080)
    .option('--allow-remote', 'allow listening beyond loopback (set up TLS too: the UI shows who downloaded what)')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--public-url <url>', 'the URL people open (e.g. behind a reverse proxy); requests naming its host are served')
    .option('--admin-token-file <path>', 'file holding the Slack admin token for the respond and allowlist routes (default: $SLACK_ADMIN_TOKEN)')
    .option('--allowed-host <name>', 'also serve requests for this host name (repeatable; default: loopback names only)', (v: string, all: string[] = []) => [...all, v]);
}

export function register(program: Command, ctx: CliContext): void {
  withServeOptions(program.command('serve').description('serve the web UI and JSON API (login required) until interrupted')).action(
    async (o: UiOptions, cmd: Command) => {
      const config = await loadConfig(ctx.configPath(cmd));
      const store = await ctx.openStore(cmd);
      try {
        const srv = await startUi(store, { ...o, config }, ctx.stdout, ctx.stderr);
        await waitForShutdown();
        streamLogger(ctx.stderr, 'gridwatch serve')('shutting down');
        await srv.close();
      } finally {
        await store.close();
      }
    },
  );
}
