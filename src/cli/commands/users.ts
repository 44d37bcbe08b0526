/**
 * `gridwatch users`: the web UI's local accounts (add, list, set-role, reset-password, remove).
 * A generated password is printed once and must be changed at first login; `--password-file` sets one instead.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Accounts, AccountError, ROLES, type Role } from '../../server/auth/users.ts';
import { generatePassword } from '../../server/auth/passwords.ts';
import { Sessions } from '../../server/auth/sessions.ts';
import { CliError, type CliContext } from '../context.ts';
import { renderTable } from '../format.ts';

function role(v: string): Role {
  if (!(ROLES as readonly string[]).includes(v)) throw new CliError(`--role must be one of ${ROLES.join(', ')} (got "${v}")`, 2);
  return v as Role;
}

/** The first line of a file (`-` for stdin), without its line ending. */
function readPassword(file: string): string {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read --password-file ${file}: ${(e as Error).message}`);
  }
  const pw = text.split(/\r?\n/, 1)[0] ?? '';
  if (pw.length < 12) throw new CliError('the password in --password-file must be at least 12 characters');
  return pw;
}

async function wrap<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof AccountError) throw new CliError(e.message);
    throw e;
  }
}

export function register(program: Command, ctx: CliContext): void {
  const users = program.command('users').description("manage the web UI's local accounts (viewer, responder, admin)");

  users
    .command('add')
    .description('create an account; prints a generated one-time password unless --password-file is given')
    .argument('<name>', 'account name')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, role)
    .option('--password-file <file>', 'read the password from the first line of this file (- for stdin)')
    .action(async (name: string, o: { role: Role; passwordFile?: string }, cmd: Command) => {
      const store = await ctx.openStore(cmd);
      try {
        const password = o.passwordFile ? readPassword(o.passwordFile) : undefined;
        const r = await new Accounts(store.accountStore()).create({ name, role: o.role, password }).catch((e) => {
          if (e instanceof AccountError) throw new CliError(e.message);
          throw e;
        });
        ctx.stdout.write(`created ${r.account.role} "${r.account.name}"\n`);
        if (!password) ctx.stdout.write(`one-time password (shown once, to be changed at first login): ${r.password}\n`);
      } finally {
        await store.close();
      }
    });

  users
    .command('list')
    .description('list accounts')
    .action(async (_o: unknown, cmd: Command) => {
      const store = await ctx.openStore(cmd);
      try {
        const rows = (await new Accounts(store.accountStore()).list()).map((a) => [a.name, a.role, a.mustChange ? 'one-time' : '', a.lastLoginAt ? new Date(a.lastLoginAt).toISOString() : 'never']);
        ctx.stdout.write(rows.length ? renderTable(['name', 'role', 'password', 'last login'], rows) : 'no accounts (gridwatch serve creates the first admin)\n');
      } finally {
        await store.close();
      }
    });

  users
    .command('set-role')
    .description('change the role of an account (ends its sessions)')
    .argument('<name>')
    .argument('<role>', ROLES.join(' | '))
    .action(async (name: string, r: string, _o: unknown, cmd: Command) => {
      const store = await ctx.openStore(cmd);
      try {
        const accounts = new Accounts(store.accountStore());
        const a = await accounts.byName(name);
        if (!a) throw new CliError(`no account named "${name}"`);
        await wrap(() => accounts.setRole(a.id, role(r)));
        await new Sessions(store.accountStore()).destroyAll(a.id);
        ctx.stdout.write(`"${a.name}" is now ${r}\n`);
      } finally {
        await store.close();
      }
    });

  users
    .command('reset-password')
    .description('set a new password (generated and printed once unless --password-file) and end all sessions')
    .argument('<name>')
    .option('--password-file <file>', 'read the password from the first line of this file (- for stdin)')
    .action(async (name: string, o: { passwordFile?: string }, cmd: Command) => {
      const store = await ctx.openStore(cmd);
      try {
        const accounts = new Accounts(store.accountStore());
        const a = await accounts.byName(name);
        if (!a) throw new CliError(`no account named "${name}"`);
        const password = o.passwordFile ? readPassword(o.passwordFile) : generatePassword();
        await accounts.setPassword(a.id, password, { mustChange: !o.passwordFile });
        ctx.stdout.write(o.passwordFile ? `password of "${a.name}" changed\n` : `one-time password of "${a.name}" (shown once): ${password}\n`);
      } finally {
        await store.close();
      }
    });

  users
    .command('remove')
    .description('delete an account and its sessions')
    .argument('<name>')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const store = await ctx.openStore(cmd);
      try {
        const accounts = new Accounts(store.accountStore());
        const a = await accounts.byName(name);
        if (!a) throw new CliError(`no account named "${name}"`);
        await wrap(() => accounts.remove(a.id));
        ctx.stdout.write(`removed "${a.name}"\n`);
      } finally {
        await store.close();
      }
    });
}
