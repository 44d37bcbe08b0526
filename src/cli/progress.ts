import cliProgress from 'cli-progress';
import type { Writable } from 'node:stream';
import type { Progress } from '../collector/progress.ts';

export interface ProgressReporter {
  update(p: Progress): void;
  /** A one-off message (retry, rate limit) shown without breaking the bar. */
  note(message: string): void;
  done(): void;
}

/**
 * A progress bar on stderr for collection (events, pages, rate, ETA), drawn only when stderr is a terminal so
 * logs and pipes stay clean.
 *
 * @example
 * const r = progressReporter(process.stderr, true); r.update(p); r.done();
 */
export function progressReporter(stream: Writable & { isTTY?: boolean }, enabled: boolean): ProgressReporter {
  if (!enabled || !stream.isTTY) return { update() {}, note() {}, done() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WritableStream,
      format: '{bar} {percentage}% | {events} events | {pages} pages | {rate}/s | ETA {eta_text}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const total = Math.max(1, p.rangeTotalSec);
      const payload = {
        events: p.events,
        pages: p.pages,
        rate: Math.round(p.rate),
        eta_text: p.etaSec === null ? '?' : p.etaSec < 90 ? `${Math.ceil(p.etaSec)}s` : `${Math.ceil(p.etaSec / 60)}m`,
      };
      if (!started) {
        bar.start(total, 0, payload);
        started = true;
      }
      bar.setTotal(total);
      bar.update(Math.min(total, p.rangeDoneSec), payload);
    },
    note(message) {
      if (started) stream.write(`\n${message}\n`);
      else stream.write(`${message}\n`);
    },
    done() {
      if (started) bar.stop();
      started = false;
    },
  };
}
