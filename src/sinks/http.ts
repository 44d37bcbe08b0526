/**
 * The one HTTP call the webhook and Slack sinks make: POST a body with a hard timeout, treat anything but 2xx as a
 * failure, and produce error messages that are safe to store and log.
 *
 * Why `redirect: 'manual'`: following a redirect would send a signed alert (or a Slack payload) to a host the
 * operator never configured; a 3xx is reported as a failure instead.
 */

export type FetchLike = typeof fetch;

export interface PostOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  fetch: FetchLike;
  /** Strings that must never appear in an error message (secrets, the URL itself when it is a credential). */
  redact: string[];
}

/**
 * Remove every occurrence of the given strings from a message.
 *
 * @example
 * redact('failed for https://hooks.example/T1/B2/xyz', ['/T1/B2/xyz']) // 'failed for https://hooks.example[redacted]'
 */
export function redact(message: string, secrets: readonly string[]): string {
  let m = message;
  for (const s of secrets) if (s) m = m.split(s).join('[redacted]');
  return m;
}

/**
 * POST and resolve on a 2xx response; reject with a short, redacted reason otherwise (HTTP status and the start of
 * the response body, timeout, or connection error).
 *
 * @example
 * await postWithTimeout({ url, body, headers: { 'content-type': 'application/json' }, timeoutMs: 10_000, fetch, redact: [secret] });
 */
export async function postWithTimeout(o: PostOptions): Promise<void> {
  const signal = AbortSignal.timeout(o.timeoutMs);
  let res: Response;
  try {
    res = await o.fetch(o.url, { method: 'POST', body: o.body, headers: o.headers, redirect: 'manual', signal });
  } catch (e) {
    throw new Error(redact(describeFetchError(e, o.timeoutMs), o.redact));
  }
  let text = '';
  try {
    // Read (a bounded part of) the body so the connection is released, within the same deadline.
    text = (await res.text()).slice(0, 200);
  } catch {
    // A body that fails to arrive does not change a 2xx verdict.
  }
  if (res.status < 200 || res.status >= 300) {
    const detail = text.replace(/\s+/g, ' ').trim();
    throw new Error(redact(`HTTP ${res.status}${detail ? `: ${detail}` : ''}`, o.redact));
  }
}

function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const cause = err?.cause;
  if (cause?.code) return `${err.message}: ${cause.code}`;
  return err?.message ?? String(e);
}
