/**
 * The simulator's admin Web API: session reset, list and invalidate, and the anomaly allowlist.
 *
 * @example
 * import { mountWebApi, SIM_BOT, SIM_ASNS } from './web-api/index.ts';
 */
export { mountWebApi, BULK_MAX_USERS, LIST_MAX_LIMIT, type WebApi, type WebApiOptions } from './routes.ts';
export { SessionStore, SIM_BOT, clientInfo, type SimSession, type SessionKind, type ClientInfo } from './sessions.ts';
export { Allowlist, parseAllowlistInput, type AllowlistItem } from './allowlist.ts';
export { METHOD_SCOPES, TOKEN_GRANTS, authorize, type AdminMethod } from './auth.ts';
export { SIM_ASNS, simAsnOf, parseCidr, cidrContains } from './network.ts';
