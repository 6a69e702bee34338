import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { duplicate, invalidPayload, notFound } from '../../core/errors.js';
import { hashToken } from '../../core/hash.js';
import { newId, newSecret } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import { decoyHash, hashPassword, passwordMatches } from './passwords.js';
import { roleOf, type Role } from './roles.js';

export interface TeamUserRow {
  id: string;
  login: string;
  email: string;
  first_name: string;
  last_name: string;
  password_hash: string | null;
  invited_until: Date | null;
  created_at: Date;
  updated_at: Date | null;
}

/** A user with the projects they are assigned to and their role in each. */
export interface TeamUser extends TeamUserRow {
  projects: Record<string, Role>;
}

export interface InviteInput {
  email: string;
  first_name?: string;
  last_name?: string;
  projects: Record<string, string>;
}

/** How long an invitation link works. */
export const invitationDays = 7;
export const minPasswordLength = 12;

const columns = 'id, login, email, first_name, last_name, password_hash, invited_until, created_at, updated_at';
const loginOf = (email: string) => email.trim().toLowerCase();
/** When a link made now stops working. */
const linkExpiry = (now: Date) => new Date(now.getTime() + invitationDays * 86_400_000);

/** A user named for a project: by id or by login (one of them), with a role. */
export interface Assignment {
  id?: string;
  login?: string;
  role: string;
}

function checkPassword(password: string): void {
  if (password.length < minPasswordLength) throw invalidPayload(`The password must have at least ${minPasswordLength} characters`);
  if (password.length > 200) throw invalidPayload('The password must have at most 200 characters');
}

function oneOf(a: Assignment): void {
  if ((a.id === undefined) === (a.login === undefined)) throw invalidPayload("Send the user's id or login (one of them) with the role");
}

/**
 * The instance's team (Voucherify's project users): invitations, project assignments with a role, passwords and
 * sign-in. Users sign in to the dashboard only; the API keeps its keys and management credentials.
 */
export function createTeamService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function withProjects(ex: Executor, rows: TeamUserRow[]): Promise<TeamUser[]> {
    if (rows.length === 0) return [];
    const { rows: links } = await ex.query<{ user_id: string; project_id: string; role: Role }>(
      'SELECT user_id, project_id, role FROM project_users WHERE user_id = ANY ($1::text[]) ORDER BY created_at, project_id',
      [rows.map((r) => r.id)],
    );
    return rows.map((r) => ({ ...r, projects: Object.fromEntries(links.filter((l) => l.user_id === r.id).map((l) => [l.project_id, l.role])) }));
  }

  async function user(ex: Executor, id: string, lock = false): Promise<TeamUser> {
    const { rows } = await ex.query<TeamUserRow>(`SELECT ${columns} FROM team_users WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (!rows[0]) throw notFound('user', id);
    return (await withProjects(ex, rows))[0]!;
  }

  /** The user as a member of the project (404 when not assigned to it). */
  async function member(ex: Executor, projectId: string, userId: string, lock = false): Promise<TeamUser> {
    const u = await user(ex, userId, lock).catch(() => undefined);
    if (!u || u.projects[projectId] === undefined) throw notFound('user', userId);
    return u;
  }

  async function projectsExist(ex: Executor, ids: string[]): Promise<void> {
    const { rows } = await ex.query<{ id: string }>('SELECT id FROM projects WHERE id = ANY ($1::text[])', [ids]);
    const missing = ids.find((id) => !rows.some((r) => r.id === id));
    if (missing !== undefined) throw notFound('project', missing);
  }

  async function link(ex: Executor, projectId: string, userId: string, role: Role): Promise<boolean> {
    const { rowCount } = await ex.query(
      'INSERT INTO project_users (project_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (project_id, user_id) DO NOTHING',
      [projectId, userId, role, clock.now()],
    );
    return rowCount === 1;
  }

  return {
    /**
     * Invites a person by email to the given projects. An invitation not yet accepted may be sent again: a new link
     * replaces the old one and the projects are added. Answers the user and the invitation's token (shown once).
     * `adminOf` (a team user inviting: the projects they are ADMIN of): a pending invitation that reaches another
     * project is not theirs to send again (the new link would open those projects too): 409, as for a user who joined.
     */
    async invite(input: InviteInput, adminOf?: string[]): Promise<{ user: TeamUser; token: string }> {
      const entries = Object.entries(input.projects);
      if (entries.length === 0) throw invalidPayload('Property .projects must name at least one project and its role');
      const assignments = entries.map(([projectId, role]) => [projectId, roleOf(role)] as const);
      const token = newSecret();
      const now = clock.now();
      const until = linkExpiry(now);
      const id = await db.transaction(async (tx) => {
        await projectsExist(tx, assignments.map(([p]) => p));
        const login = loginOf(input.email);
        if (adminOf) {
          const { rows: elsewhere } = await tx.query(
            'SELECT 1 FROM project_users pu JOIN team_users u ON u.id = pu.user_id WHERE u.login = $1 AND NOT (pu.project_id = ANY ($2::text[])) LIMIT 1',
            [login, adminOf],
          );
          if (elsewhere.length > 0) throw duplicate('user', 'login', login);
        }
        const { rows } = await tx.query<{ id: string; password_hash: string | null }>(
          `INSERT INTO team_users (id, login, email, first_name, last_name, invitation_digest, invited_until, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (login) DO UPDATE SET first_name = COALESCE(NULLIF(EXCLUDED.first_name, ''), team_users.first_name),
             last_name = COALESCE(NULLIF(EXCLUDED.last_name, ''), team_users.last_name),
             invitation_digest = EXCLUDED.invitation_digest, invited_until = EXCLUDED.invited_until, updated_at = EXCLUDED.created_at
             WHERE team_users.password_hash IS NULL
           RETURNING id, password_hash`,
          [newId('user', 32), login, input.email.trim(), input.first_name ?? '', input.last_name ?? '', hashToken(token), until, now],
        );
        if (!rows[0]) throw duplicate('user', 'login', login);
        for (const [projectId, role] of assignments) {
          if (!(await link(tx, projectId, rows[0].id, role))) {
            await tx.query('UPDATE project_users SET role = $3 WHERE project_id = $1 AND user_id = $2', [projectId, rows[0].id, role]);
          }
        }
        return rows[0].id;
      });
      return { user: await user(db, id), token };
    },

    /** Checks assignments before they are made: each names an existing user once, by id or login, with a known role. */
    async assignable(list: Assignment[]): Promise<void> {
      const seen = new Set<string>();
      for (const a of list) {
        oneOf(a);
        roleOf(a.role);
        const { rows } = await db.query<{ id: string }>(a.id !== undefined ? 'SELECT id FROM team_users WHERE id = $1' : 'SELECT id FROM team_users WHERE login = $1', [a.id ?? loginOf(a.login!)]);
        if (!rows[0]) throw notFound('user', a.id ?? a.login!);
        if (seen.has(rows[0].id)) throw invalidPayload(`User ${a.id ?? a.login} is listed twice`);
        seen.add(rows[0].id);
      }
    },

    /** Assigns an existing user (by id or login) to the project with a role; 409 when already assigned. */
    async assign(projectId: string, input: Assignment): Promise<TeamUser> {
      oneOf(input);
      const role = roleOf(input.role);
      const userId = await db.transaction(async (tx) => {
        const { rows } = input.id !== undefined
          ? await tx.query<{ id: string }>('SELECT id FROM team_users WHERE id = $1 FOR UPDATE', [input.id])
          : await tx.query<{ id: string }>('SELECT id FROM team_users WHERE login = $1 FOR UPDATE', [loginOf(input.login!)]);
        if (!rows[0]) throw notFound('user', input.id ?? input.login!);
        if (!(await link(tx, projectId, rows[0].id, role))) throw duplicate('user', 'project', projectId);
        return rows[0].id;
      });
      return user(db, userId);
    },

    async list(projectId: string): Promise<TeamUser[]> {
      const { rows } = await db.query<TeamUserRow>(
        `SELECT ${columns.split(', ').map((c) => `u.${c}`).join(', ')} FROM team_users u JOIN project_users pu ON pu.user_id = u.id WHERE pu.project_id = $1 ORDER BY pu.created_at, u.id`,
        [projectId],
      );
      return withProjects(db, rows);
    },

    get: (projectId: string, userId: string) => member(db, projectId, userId),

    async setRole(projectId: string, userId: string, role: string): Promise<TeamUser> {
      const r = roleOf(role);
      const { rowCount } = await db.query('UPDATE project_users SET role = $3 WHERE project_id = $1 AND user_id = $2', [projectId, userId, r]);
      if (rowCount === 0) throw notFound('user', userId);
      return user(db, userId);
    },

    /** Takes the user off the project; a user's only project cannot be taken (remove the user instead). */
    async unassign(projectId: string, userId: string): Promise<void> {
      await db.transaction(async (tx) => {
        // The user's row is locked first, so two unassignments from a user's last two projects cannot both pass.
        const u = await member(tx, projectId, userId, true);
        if (Object.keys(u.projects).length === 1) {
          throw invalidPayload(`User ${userId} is assigned to this project only and cannot be unassigned from it; delete the user with DELETE /management/v1/users/${userId} instead`);
        }
        await tx.query('DELETE FROM project_users WHERE project_id = $1 AND user_id = $2', [projectId, userId]);
      });
    },

    /** Every user of the instance, oldest first. */
    async listAll(): Promise<TeamUser[]> {
      const { rows } = await db.query<TeamUserRow>(`SELECT ${columns} FROM team_users ORDER BY created_at, id`);
      return withProjects(db, rows);
    },

    getUser: (id: string) => user(db, id),

    async remove(id: string): Promise<void> {
      const { rowCount } = await db.query('DELETE FROM team_users WHERE id = $1', [id]);
      if (rowCount === 0) throw notFound('user', id);
    },

    /**
     * A new link for the user to choose a password with (a forgotten one): the invitation's page, for 7 days, once.
     * The current password keeps working until the link is used.
     */
    async resetLink(id: string): Promise<{ user: TeamUser; token: string }> {
      const token = newSecret();
      const now = clock.now();
      const { rowCount } = await db.query('UPDATE team_users SET invitation_digest = $2, invited_until = $3, updated_at = $4 WHERE id = $1', [
        id, hashToken(token), linkExpiry(now), now,
      ]);
      if (rowCount === 0) throw notFound('user', id);
      return { user: await user(db, id), token };
    },

    /** Changes a signed-in user's password, given the current one (false when it is wrong). */
    async changePassword(id: string, current: string, next: string): Promise<boolean> {
      checkPassword(next);
      const { rows } = await db.query<{ password_hash: string | null }>('SELECT password_hash FROM team_users WHERE id = $1', [id]);
      if (!(await passwordMatches(current, rows[0]?.password_hash ?? decoyHash))) return false;
      await db.query('UPDATE team_users SET password_hash = $2, updated_at = $3 WHERE id = $1', [id, await hashPassword(next), clock.now()]);
      return true;
    },

    /** The invitation's user, while it is open (undefined when unknown, used or expired). */
    async invitation(token: string): Promise<TeamUser | undefined> {
      const { rows } = await db.query<TeamUserRow>(`SELECT ${columns} FROM team_users WHERE invitation_digest = $1 AND invited_until > $2`, [hashToken(token), clock.now()]);
      return rows[0] ? (await withProjects(db, rows))[0] : undefined;
    },

    /** Accepts an open invitation: sets the password and closes the link (undefined when it is not open). */
    async accept(token: string, password: string): Promise<TeamUser | undefined> {
      checkPassword(password);
      const hash = await hashPassword(password);
      const { rows } = await db.query<TeamUserRow>(
        `UPDATE team_users SET password_hash = $3, invitation_digest = NULL, invited_until = NULL, updated_at = $2
         WHERE invitation_digest = $1 AND invited_until > $2 RETURNING ${columns}`,
        [hashToken(token), clock.now(), hash],
      );
      return rows[0] ? (await withProjects(db, rows))[0] : undefined;
    },

    /** The user whose login and password these are (undefined otherwise, after the same work). */
    async signIn(login: string, password: string): Promise<TeamUser | undefined> {
      const { rows } = await db.query<TeamUserRow>(`SELECT ${columns} FROM team_users WHERE login = $1`, [loginOf(login)]);
      const matches = await passwordMatches(password, rows[0]?.password_hash ?? decoyHash);
      return matches && rows[0] ? (await withProjects(db, rows))[0] : undefined;
    },

    /** The user's role per project, read afresh (undefined when the user no longer exists). */
    async access(userId: string): Promise<Map<string, Role> | undefined> {
      const { rows } = await db.query<{ project_id: string | null; role: Role | null }>(
        'SELECT pu.project_id, pu.role FROM team_users u LEFT JOIN project_users pu ON pu.user_id = u.id WHERE u.id = $1',
        [userId],
      );
      if (rows.length === 0) return undefined;
      return new Map(rows.filter((r) => r.project_id !== null).map((r) => [r.project_id!, r.role!]));
    },
  };
}

export type TeamService = ReturnType<typeof createTeamService>;

/**
 * How the dashboard calls the management API for a signed-in user, in-process: a key made at start that never
 * leaves the process, with the user's id. The API then checks the user's roles on every request.
 */
export function createDelegation() {
  const key = randomBytes(32).toString('base64url');
  const keyed = (headers: Record<string, unknown>, name: string): string | undefined => {
    const sent = headers['x-tessera-dashboard-key'];
    const value = headers[name];
    if (typeof sent !== 'string' || typeof value !== 'string' || sent.length !== key.length) return undefined;
    return timingSafeEqual(Buffer.from(sent), Buffer.from(key)) ? value : undefined;
  };
  return {
    headers: (userId: string) => ({ 'x-tessera-dashboard-user': userId, 'x-tessera-dashboard-key': key }),
    /** A management sign-in's calls: the management id, with this process's key (the token is never kept). */
    managementHeaders: (managementId: string) => ({ 'x-tessera-dashboard-management': managementId, 'x-tessera-dashboard-key': key }),
    /** The management id a request is made for, when it carries this process's key. */
    managementOf(headers: Record<string, unknown>): string | undefined {
      return keyed(headers, 'x-tessera-dashboard-management');
    },
    /** The user a request is made for, when it carries this process's key. */
    userOf(headers: Record<string, unknown>): string | undefined {
      return keyed(headers, 'x-tessera-dashboard-user');
    },
  };
}

export type Delegation = ReturnType<typeof createDelegation>;
