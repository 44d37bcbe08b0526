/**
 * The parts of the store not yet built on PostgreSQL (issue #13) fail with one clear message naming the feature,
 * instead of a missing method or a wrong answer.
 */
export class NotOnPostgresError extends Error {
  constructor(readonly feature: string) {
    super(`${feature}: not yet available on PostgreSQL (use a SQLite database for now: --db PATH)`);
    this.name = 'NotOnPostgresError';
  }
}

/**
 * @example throw notOnPostgres('alerts')
 */
export function notOnPostgres(feature: string): NotOnPostgresError {
  return new NotOnPostgresError(feature);
}
