/**
 * Errors the HTTP API answers with. Every failure becomes `{ "error": { "code", "message", "param"? } }` with a
 * status code; nothing ever returns a stack trace or an internal message to the browser.
 */

export class HttpError extends Error {
  /**
   * @example throw new HttpError(404, 'not_found', 'no event with id "x"')
   */
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503,
    readonly code: string,
    message: string,
    readonly param?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * A 400 naming the parameter at fault.
 *
 * @example throw badParam('limit', 'must be an integer between 1 and 1000')
 */
export function badParam(param: string, message: string): HttpError {
  return new HttpError(400, 'invalid_parameter', `invalid parameter "${param}": ${message}`, param);
}

/**
 * A 404 for an id that is not stored.
 *
 * @example throw notFound('alert', id)
 */
export function notFound(what: string, id: string): HttpError {
  // The id is echoed as JSON data, never as HTML, so a hostile id cannot inject markup.
  return new HttpError(404, 'not_found', `no ${what} with id ${JSON.stringify(id.slice(0, 200))}`);
}

/** The JSON body of an error response. */
export function errorBody(e: HttpError): { error: { code: string; message: string; param?: string } } {
  return { error: { code: e.code, message: e.message, ...(e.param ? { param: e.param } : {}) } };
}
