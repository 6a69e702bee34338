/**
 * The team: people who sign in to the dashboard (`user_`), each assigned to projects with a role (ADMIN, USER,
 * VIEWER, MERCHANT), invited by link and holding a password (scrypt). Voucherify's project users API.
 */
import { defineModule } from '../module.js';
import { createDelegation, createTeamService, type Delegation, type TeamService } from './service.js';
import { createSessionStore, type SessionStore } from './sessions.js';
import { createSignInThrottle, type SignInThrottle } from './throttle.js';
export { createDelegation, createTeamService, invitationDays, minPasswordLength, type Assignment, type Delegation, type InviteInput, type TeamService, type TeamUser } from './service.js';
export { accessNeeded, allows, refusal, roles, type Access, type Role } from './roles.js';
export { userObject } from './view.js';
export { createSignInThrottle, type SignInThrottle } from './throttle.js';
export { createSessionStore, newToken, sessionIdleMs, sessionMaxAgeMs, sessionsPerUser, type Flash, type SessionStore, type SessionUser, type StoredSession } from './sessions.js';

export const teamModule = defineModule<{ team: TeamService; delegation: Delegation; dashboardSessions: SessionStore; signInThrottle: SignInThrottle }>({
  name: 'team',
  create: ({ db, clock }) => ({
    services: {
      team: createTeamService({ db, clock }),
      delegation: createDelegation(),
      dashboardSessions: createSessionStore({ db, clock }),
      // Ten wrong passwords for one email within 15 minutes hold its sign-in for the rest of them.
      signInThrottle: createSignInThrottle({ db, clock, max: 10, windowMs: 15 * 60_000 }),
    },
  }),
});
