/**
 * Respond (issue #11): sign users out of Slack, end one session, with what the store knows shown first and every
 * outcome in the action log. The CLI (`cli/commands/respond.ts`) is a thin layer over this.
 */
export { describePlan, planCalls, recordFields, type PlannedCall, type ResponseRequest, type SignOutScope } from './plan.ts';
export { describeFacts, userFacts, type AlertRef, type UserFacts } from './facts.ts';
export { executeResponse, recordWithoutCall, type ResponseMeta, type ResponseOutcome } from './execute.ts';
export { confirmOrRefuse, type Confirmation } from './confirm.ts';
export { joinSessions, type JoinedSession } from './sessions.ts';
export { approvable, carryOutProposal, proposalOf, requestOf, type CarryOutResult, type Proposal, type ProposalStatus } from './proposal.ts';
export { playbookFor, runPlaybooks, responseNotification, AUTO_ACTOR, type SlackAdmin, type PlaybookOutcome } from './playbook.ts';
