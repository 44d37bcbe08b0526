/**
 * File sink: appends one JSON line per alert (JSON Lines), for log shippers and `tail -f | jq`.
 *
 * Each write opens the file in append mode and closes it again: no handle to leak or to rotate around (logrotate's
 * move-and-create just works), and O_APPEND keeps concurrent writers' lines whole.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FileSinkConfig } from './config.ts';
import type { Sink } from './types.ts';

/**
 * Create a file sink. The parent directory is created if missing.
 *
 * @example
 * const sink = createFileSink({ type: 'file', path: '/var/log/gridwatch/alerts.jsonl' });
 */
export function createFileSink(cfg: FileSinkConfig): Sink {
  const name = cfg.name ?? 'file';
  let dirReady = false;
  return {
    name,
    type: 'file',
    minSeverity: cfg.min_severity,
    describe: () => `file ${name} → ${cfg.path}`,
    async send(alert) {
      if (!dirReady) {
        await mkdir(dirname(cfg.path), { recursive: true });
        dirReady = true;
      }
      await appendFile(cfg.path, `${JSON.stringify(alert)}\n`, { encoding: 'utf8', flag: 'a' });
    },
  };
}
