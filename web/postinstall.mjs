// Run by `npm install` / `npm ci` (package.json "postinstall"): build the web UI into web/dist so `gridwatch serve`
// has something to serve. A production install without dev dependencies (no vite) skips the build with a note
// instead of failing the install; the server then says how to build it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Plain file checks: these packages do not export their package.json or bin through "exports".
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const plugin = join(root, 'node_modules', '@vitejs', 'plugin-react', 'package.json');
if (!existsSync(vite) || !existsSync(plugin)) {
  console.warn('gridwatch: vite is not installed (production install?): skipping the web UI build; run `npm run build:web` later.');
  process.exit(0);
}
const r = spawnSync(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
