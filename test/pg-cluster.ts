/**
 * The throwaway PostgreSQL cluster the tests use lives in `src/util/pg-cluster.ts` (the benchmark starts one too);
 * re-exported here so test files import it from the test helpers.
 */
export * from '../src/util/pg-cluster.ts';
