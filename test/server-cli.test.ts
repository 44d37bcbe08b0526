/**
 * `gridwatch serve` and `gridwatch users`, run as commands: in-process for `users`, as a child process for `serve`
 * (which runs until SIGTERM and must then shut down cleanly).
 */
import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { CliError, type CliContext } from '../src/cli/context.ts';
import { register as registerServe, startUi } from '../src/cli/commands/serve.ts';
import { register as registerUsers } from '../src/cli/commands/users.ts';
import { verifyPassword } from '../src/server/auth/passwords.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { tempDirs } from '../src/util/testing-tmp.ts';
import { watchOutput } from './cli-helpers.ts';

const tmp = tempDirs();
let dir: string;
let db: string;

function context() {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const ctx: CliContext = {
    stdout: out,
    stderr: err,
    env: {},
    openStore: () => openSqliteStore(db),
    configPath: () => null,
  };
  return { ctx, out: () => stdout, err: () => stderr };
}

async function run(args: string[]) {
  const c = context();
  const program = new Command('gridwatch').exitOverride();
  registerUsers(program, c.ctx);
  registerServe(program, c.ctx);
  for (const cmd of program.commands) cmd.exitOverride();
  let error: Error | null = null;
  try {
    await program.parseAsync(['node', 'gridwatch', ...args]);
  } catch (e) {
    error = e as Error;
  }
  return { stdout: c.out(), stderr: c.err(), error };
}

beforeAll(() => {
  dir = tmp.make('gridwatch-cli-');
  db = join(dir, 'gw.db');
});

describe('gridwatch users', () => {
  it('adds an account with a generated one-time password, printed once', async () => {
    const r = await run(['users', 'add', 'ana', '--role', 'responder']);
    expect(r.error).toBeNull();
    const pw = /one-time password .*: (\S+)/.exec(r.stdout)?.[1];
    expect(pw).toMatch(/^[\w-]{20}$/);
    const store = await openSqliteStore(db);
    const row = store.db.prepare("SELECT role, password_hash, must_change FROM web_users WHERE name = 'ana'").get() as { role: string; password_hash: string; must_change: number };
    await store.close();
    expect(row.role).toBe('responder');
    expect(row.must_change).toBe(1);
    expect(row.password_hash).not.toContain(pw!);
    expect(await verifyPassword(pw!, row.password_hash)).toBe(true);
  });

  it('reads a password from --password-file, and refuses bad roles, duplicates and short passwords', async () => {
    const file = join(dir, 'pw.txt');
    writeFileSync(file, 'a long enough passphrase\nsecond line ignored\n');
    const r = await run(['users', 'add', 'bo', '--role', 'viewer', '--password-file', file]);
    expect(r.error).toBeNull();
    expect(r.stdout).not.toContain('passphrase');
    expect(r.stdout).not.toContain('one-time');
    const bad = await run(['users', 'add', 'cy', '--role', 'root']);
    expect(bad.error).toBeInstanceOf(CliError);
    expect(bad.error!.message).toContain('viewer, responder, admin');
    expect((await run(['users', 'add', 'bo', '--role', 'viewer'])).error?.message).toContain('already exists');
    writeFileSync(file, 'short\n');
    expect((await run(['users', 'add', 'di', '--role', 'viewer', '--password-file', file])).error?.message).toContain('at least 12');
  });

  it('lists, changes roles, resets passwords and removes', async () => {
    expect((await run(['users', 'list'])).stdout).toMatch(/ana\s+responder\s+one-time/);
    expect((await run(['users', 'set-role', 'bo', 'admin'])).stdout).toContain('now admin');
    expect((await run(['users', 'reset-password', 'ana'])).stdout).toMatch(/one-time password of "ana"/);
    expect((await run(['users', 'remove', 'ana'])).error).toBeNull();
    expect((await run(['users', 'remove', 'bo'])).error?.message).toContain('last admin');
    expect((await run(['users', 'remove', 'zed'])).error?.message).toContain('no account');
  });
});

describe('gridwatch serve', () => {
  it('for the demo: takes another port when the one asked is busy and prints a fresh demo login', async () => {
    const store = await openSqliteStore(join(dir, 'demo.db'));
    const busy = createHttpServer(() => {});
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as AddressInfo).port;
    const c = context();
    const ui = await startUi(store, { port, portFallback: true, demoLogin: true }, c.ctx.stdout, c.ctx.stderr);
    try {
      expect(ui.port).not.toBe(port);
      const pw = /Log in as "demo" with the password (\S+)/.exec(c.out())?.[1];
      expect(c.out()).toContain(`gridwatch UI: ${ui.url}/`);
      const r = await fetch(`${ui.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'demo', password: pw }) });
      expect((await r.json()).user).toEqual({ name: 'demo', role: 'admin', mustChangePassword: false });
      await expect(startUi(store, { port }, c.ctx.stdout, c.ctx.stderr)).rejects.toThrow(/already in use/);
    } finally {
      await ui.close();
      busy.close();
      await store.close();
    }
  });

  it('refuses a non-loopback address without --allow-remote', async () => {
    const r = await run(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(r.error).toBeInstanceOf(CliError);
    expect(r.error!.message).toContain('--allow-remote');
  });

  it('prints its URL and the first admin password, serves, and exits cleanly on SIGTERM', async () => {
    const fresh = join(dir, 'fresh.db');
    const script = join(dir, 'serve.mts');
    const root = join(import.meta.dirname, '..');
    // The lead wires `serve` into the CLI; this runs the command module alone, exactly as registered there.
    writeFileSync(
      script,
      `import { Command } from ${JSON.stringify(join(root, 'node_modules/commander/esm.mjs'))};
       import { processContext } from ${JSON.stringify(join(root, 'src/cli/context.ts'))};
       import { register } from ${JSON.stringify(join(root, 'src/cli/commands/serve.ts'))};
       const program = new Command('gridwatch').option('--db <path>').option('--config <file>');
       register(program, processContext());
       await program.parseAsync(process.argv);`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script, '--db', fresh, 'serve', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const out = watchOutput(child);
    // Two lines, possibly in two chunks: wait for each one asserted.
    const [, url] = await out.waitFor(/gridwatch UI: (http:\/\/127\.0\.0\.1:\d+)\//);
    await out.waitFor(/log in as "admin" with the one-time password [\w-]{20}/);
    expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
    expect((await fetch(`${url}/api/v1/events`)).status).toBe(401);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    await out.waitFor(/shutting down/, { stream: 'stderr' });
  });
});
