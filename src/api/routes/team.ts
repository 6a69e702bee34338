import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invitationDays, userObject, type Assignment, type InviteInput, type TeamService } from '../../modules/team/index.js';

const role = { type: 'string', minLength: 1, maxLength: 100 } as const;
const params = { type: 'object', properties: { projectId: { type: 'string', minLength: 1 }, userId: { type: 'string', minLength: 1, maxLength: 100 } } } as const;
const inviteBody = {
  type: 'object',
  required: ['email', 'projects'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', format: 'email', maxLength: 320 },
    first_name: { type: 'string', maxLength: 200 },
    last_name: { type: 'string', maxLength: 200 },
    projects: { type: 'object', additionalProperties: role, maxProperties: 1000 },
  },
} as const;
const assignBody = {
  type: 'object',
  required: ['role'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 }, login: { type: 'string', minLength: 1, maxLength: 320 }, role },
} as const;
const roleBody = { type: 'object', required: ['role'], additionalProperties: false, properties: { role } } as const;

type P = { Params: { projectId: string; userId: string } };

/** An invitation's or a reset's answer: 204, the link (to be passed on: Tessera sends no email) in headers. */
function linkAnswer(req: FastifyRequest, reply: FastifyReply, userId: string, token: string): FastifyReply {
  return reply
    .code(204)
    .header('x-tessera-user-id', userId)
    .header('x-tessera-invitation-url', `${req.publicOrigin}/dashboard/invitation/${token}`)
    .header('x-tessera-invitation-expires-in', String(invitationDays * 86_400))
    .send();
}

/**
 * /management/v1 project users (Voucherify's): invitations, assignments with a role, listing and unassigning; and
 * ours: the whole team (`GET /users`, `GET /users/{id}`), a password-reset link and deleting a user. Roles: ADMIN, USER, VIEWER, MERCHANT.
 */
export function teamRoutes(app: FastifyInstance, deps: { team: TeamService }): void {
  const { team } = deps;

  // Voucherify emails the link; Tessera sends no email: the link is answered in a header, to be passed on.
  app.post<{ Body: InviteInput }>('/projects/users/invite', { schema: { body: inviteBody } }, async (req, reply) => {
    // A team user (an ADMIN of the projects named) cannot send again an invitation that reaches other projects.
    const adminOf = req.teamUser ? [...req.teamUser.access].filter(([, role]) => role === 'ADMIN').map(([p]) => p) : undefined;
    const { user, token } = await team.invite(req.body, adminOf);
    return linkAnswer(req, reply, user.id, token);
  });

  app.get<P>('/projects/:projectId/users', { schema: { params } }, async (req) => {
    const users = await team.list(req.params.projectId);
    return { object: 'list', data_ref: 'data', data: users.map((u) => userObject(u, req.params.projectId)), total: users.length };
  });
  app.post<P & { Body: Assignment }>('/projects/:projectId/users', { schema: { params, body: assignBody } }, async (req) =>
    userObject(await team.assign(req.params.projectId, req.body), req.params.projectId),
  );
  app.get<P>('/projects/:projectId/users/:userId', { schema: { params } }, async (req) => userObject(await team.get(req.params.projectId, req.params.userId), req.params.projectId));
  app.put<P & { Body: { role: string } }>('/projects/:projectId/users/:userId', { schema: { params, body: roleBody } }, async (req) =>
    userObject(await team.setRole(req.params.projectId, req.params.userId, req.body.role), req.params.projectId),
  );
  app.delete<P>('/projects/:projectId/users/:userId', { schema: { params } }, async (req, reply) => {
    await team.unassign(req.params.projectId, req.params.userId);
    return reply.code(204).send();
  });

  app.get('/users', async () => {
    const users = await team.listAll();
    return { object: 'list', data_ref: 'data', data: users.map((u) => userObject(u)), total: users.length };
  });
  app.get<P>('/users/:userId', { schema: { params } }, async (req) => userObject(await team.getUser(req.params.userId)));
  // Ours: a forgotten password. A new link to choose one (the invitation's page), answered like an invitation's.
  app.post<P>('/users/:userId/password-reset', { schema: { params } }, async (req, reply) => {
    const { user, token } = await team.resetLink(req.params.userId);
    return linkAnswer(req, reply, user.id, token);
  });
  app.delete<P>('/users/:userId', { schema: { params } }, async (req, reply) => {
    await team.remove(req.params.userId);
    return reply.code(204).send();
  });
}
