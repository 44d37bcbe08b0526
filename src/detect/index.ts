/**
 * The detection engine's public entry points. Everything else in `src/detect` is internal.
 *
 * @example
 * import { runIncremental, replay } from './detect/index.ts';
 * await store.appendEvents(batch);
 * const changed = await runIncremental(store, config);          // after collect / ingest / the demo
 * const alerts = await replay(store, config, { since, until }); // gridwatch detect
 */
export { runIncremental, incrementalWithEngine, MARK_KEY, type IncrementalOptions } from './incremental.ts';
export { replay, replayDetailed, replayWithEngine, type ReplayOptions, type ReplayReport } from './replay.ts';
export { createEngine, type AlertNotifier, type Engine, type EngineOptions } from './engine.ts';
export { alertStoreFor, sinksNotifier, toDeliverable } from './bindings.ts';
export { benchReplay, type ReplayBench } from './bench.ts';
export { loadEnabledRules, loadConfiguredRules, applyRuleConfig, RuleLoadError, BUILTIN_RULES_DIR } from './rule-loader.ts';
export { runRuleTests, type TestOutcome } from './rule-tests.ts';
export { buildEnv, type DetectEnv } from './env.ts';
