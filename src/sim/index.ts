/**
 * The Slack API simulator and organisation generator: the public surface for the CLI, tests and benchmarks.
 *
 * @example
 * import { startSimulator, generateOrg, STORY } from '../sim/index.ts';
 */
export { generateOrg, byTimeThenId, type GenerateOptions, type GeneratedOrg } from './generator.ts';
export { actionCatalogue, knownActions, schemas } from './catalogue.ts';
export { STORY, storyStart } from './story.ts';
export { ANOMALY_REASONS, PAIRING_RULES, pairingViolations } from './anomalies.ts';
export { startSimulator, DEFAULT_TOKENS } from './server.ts';
export type { Simulator, SimulatorOptions, SimulatorStats, SimTokens, TokenKind, RouteContext, RouteHandler } from './server.ts';
export type { FaultOptions } from './faults.ts';
export type { RateLimitOptions } from './ratelimit.ts';
export type { SimEvent, Json } from './builders.ts';
export type { SimUser } from './org.ts';
export { simOptionsFromCli, describeSimulator, SimCliError, SIM_FLAGS } from './cli-options.ts';
export { AUDIT_EPOCH, DEFAULT_LIMIT, MAX_ACTIONS, logsBody } from './audit-routes.ts';
export { mulberry32, createRng, deriveSeed, type Rng } from './random.ts';
