import type { TeamUser } from './service.js';

/**
 * The User object: Voucherify's fields, `role` (the user's role in the project asked about; the schema requires it),
 * and ours: `status` (INVITED until the invitation is accepted, then ACTIVE) and `created_at`. Nobody is the
 * organization's owner: the instance's management credentials hold that place.
 */
export function userObject(u: TeamUser, projectId?: string) {
  return {
    id: u.id,
    login: u.login,
    email: u.email,
    first_name: u.first_name,
    last_name: u.last_name,
    projects: u.projects,
    ...(projectId !== undefined ? { role: u.projects[projectId] ?? null } : {}),
    is_owner: false,
    status: u.password_hash === null ? 'INVITED' : 'ACTIVE',
    created_at: u.created_at.toISOString(),
  };
}
