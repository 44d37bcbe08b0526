/**
 * What a failed `fetch` means for the Slack client: a fault that heals by waiting (reset, timeout, DNS hiccup), a
 * refused connection (heals only if something starts listening: a proxy restarting), or a configuration that can
 * never work (malformed URL, unknown host, certificate errors) and must be reported at once.
 */

/** Certificate and protocol errors of a TLS handshake: retrying the same URL gets the same answer. */
const TLS_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER', // an https:// URL pointing at a plain HTTP port
]);

export type NetworkFailure =
  | { kind: 'endpoint'; why: string }
  | { kind: 'refused'; detail: string }
  | { kind: 'network'; detail: string };

/**
 * Classify the error `fetch` threw (undici puts the system error in `cause`).
 *
 * @example classifyFetchError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } })).kind // 'endpoint'
 */
export function classifyFetchError(e: unknown): NetworkFailure {
  const err = e as { message?: string; cause?: { code?: string; message?: string; hostname?: string } };
  const code = err?.cause?.code;
  const message = err?.cause?.message ?? err?.message ?? String(e);
  if (code === 'ERR_INVALID_URL') return { kind: 'endpoint', why: 'the URL is malformed' };
  if (message === 'bad port') return { kind: 'endpoint', why: 'fetch refuses to connect to that port' };
  if (message === 'unknown scheme') return { kind: 'endpoint', why: 'the URL must start with https:// or http://' };
  if (code === 'ENOTFOUND') return { kind: 'endpoint', why: `unknown host${err.cause?.hostname ? ` ${err.cause.hostname}` : ''} (ENOTFOUND)` };
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return { kind: 'endpoint', why: `TLS failed: the server there does not speak TLS (is it http://?) (${code})` };
  if (code !== undefined && TLS_CODES.has(code)) return { kind: 'endpoint', why: `TLS failed: ${message.split('\n')[0]} (${code})` };
  if (code === 'ECONNREFUSED') return { kind: 'refused', detail: message };
  return { kind: 'network', detail: code ?? message };
}

/**
 * Why a base URL can never work (null when it can): not parseable, or neither http nor https.
 *
 * @example baseUrlProblem('http://127.0.0.1:999999/audit/v1') // 'the URL is malformed'
 */
export function baseUrlProblem(baseUrl: string): string | null {
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    return 'the URL is malformed';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'the URL must start with https:// or http://';
  return null;
}
