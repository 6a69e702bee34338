import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbidden, missingRequiredPermission, notFound, unauthorized } from '../core/errors.js';
import type { Cause } from '../modules/event-log/index.js';
import { originAllowed, scopesAllow, scopesFor, type Caller, type ManagementAuth, type OAuth, type ProjectRow, type ProjectsService } from '../modules/projects/index.js';
import { refusal, type Delegation, type Role, type TeamService } from '../modules/team/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
    project?: ProjectRow;
    /** Where the links this request hands out point: TESSERA_PUBLIC_URL, or the address the request reached. */
    publicOrigin: string;
    /** A dashboard user's request to the management API (made in-process): the user and their role per project. */
    teamUser?: { id: string; access: Map<string, Role> };
  }
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The token of an `Authorization: Bearer` header, if the request has one. */
function bearerOf(req: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header(req, 'authorization') ?? '');
  return m?.[1];
}

/**
 * An OAuth token in place of a key: live, of this API's family of scopes, and holding the scope of the route's
 * family (`api` or `customers` for /v1/customers...). Sets the request's caller as its key would.
 */
async function tokenAuth(req: FastifyRequest, oauth: OAuth, token: string, channel: Caller['channel']): Promise<ProjectRow> {
  const auth = await oauth.authenticate(token);
  if (!auth) throw unauthorized('Invalid or expired OAuth token: mint a new one with POST /v1/oauth/token');
  const path = req.url.split('?')[0]!;
  if (!scopesAllow(auth.scopes, path)) {
    const needed = scopesFor(path) ?? [];
    throw missingRequiredPermission(`This OAuth token's scopes (${auth.scopes.join(' ')}) do not include ${needed.join(' or ')}`);
  }
  req.caller = { projectId: auth.project.id, appId: auth.appId, keyName: auth.keyName, channel };
  req.project = auth.project;
  return auth.project;
}

/** /v1: a project's server key (X-App-Id + X-App-Token), or an OAuth token minted with it. */
export function serverAuth(projects: ProjectsService, oauth: OAuth) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const appId = header(req, 'x-app-id');
    const token = header(req, 'x-app-token');
    const bearer = bearerOf(req);
    if ((!appId || !token) && bearer !== undefined) {
      await tokenAuth(req, oauth, bearer, 'API');
      return;
    }
    if (!appId || !token) {
      if (header(req, 'x-management-id') || header(req, 'x-management-token')) {
        throw unauthorized(
          "Missing X-App-Id or X-App-Token header: /v1 takes a project's server key, not the management credentials (those work on /management/v1; a project's keys come from POST /management/v1/projects or `tessera projects create`)",
        );
      }
      throw unauthorized('Missing X-App-Id or X-App-Token header');
    }
    const auth = await projects.authenticate(appId, token, 'server');
    if (!auth) throw unauthorized('Invalid X-App-Id or X-App-Token');
    req.caller = auth.caller;
    req.project = auth.project;
  };
}

/** A client-side request must come from one of the project's trusted domains. */
function checkOrigin(req: FastifyRequest, project: ProjectRow): void {
  const origin = header(req, 'origin');
  if (!origin) throw forbidden('Client-side requests need an Origin header');
  if (!originAllowed(origin, project.settings.client_trusted_domains ?? [])) {
    throw forbidden(`Origin ${origin} is not among this project's client_trusted_domains`);
  }
}

/**
 * /client/v1: a project's client key (X-Client-Application-Id + X-Client-Token), or an OAuth token with client
 * scopes, from a trusted origin.
 */
export function clientAuth(projects: ProjectsService, oauth: OAuth) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (req.method === 'OPTIONS') return;
    const appId = header(req, 'x-client-application-id');
    const token = header(req, 'x-client-token');
    const bearer = bearerOf(req);
    if ((!appId || !token) && bearer !== undefined) {
      checkOrigin(req, await tokenAuth(req, oauth, bearer, 'CLIENT_API'));
      return;
    }
    if (!appId || !token) throw unauthorized('Missing X-Client-Application-Id or X-Client-Token header');
    const auth = await projects.authenticate(appId, token, 'client');
    if (!auth) throw unauthorized('Invalid X-Client-Application-Id or X-Client-Token');
    // Known before the origin is checked, so that a refusal for the origin is in the project's call log.
    req.caller = auth.caller;
    req.project = auth.project;
    checkOrigin(req, auth.project);
  };
}

/** The key pair of an OAuth request: HTTP Basic (app id and token), else client_id and client_secret in the body. */
export function clientCredentials(req: FastifyRequest): { appId: string; secret: string } {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header(req, 'authorization') ?? '');
  if (basic) {
    const text = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const at = text.indexOf(':');
    if (at > 0) return { appId: text.slice(0, at), secret: text.slice(at + 1) };
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body.client_id === 'string' && typeof body.client_secret === 'string' && body.client_id !== '') {
    return { appId: body.client_id, secret: body.client_secret };
  }
  throw unauthorized("Missing client credentials: send the project key's app id and token as HTTP Basic (Authorization: Basic base64(app_id:app_token)), or client_id and client_secret");
}

/**
 * /management/v1: the instance's management credentials, or (from the dashboard, in-process) a signed-in team user,
 * whose roles are read afresh on every request: a user removed or unassigned loses access at once.
 */
export function managementAuth(management: ManagementAuth, team: { team: TeamService; delegation: Delegation }) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    // A management sign-in of the dashboard, in-process (its session ends when the credentials change).
    const managementId = team.delegation.managementOf(req.headers);
    if (managementId !== undefined) {
      if (await management.holds(managementId)) return;
      throw unauthorized('The management credentials changed');
    }
    const userId = team.delegation.userOf(req.headers);
    if (userId !== undefined) {
      const access = await team.team.access(userId);
      if (!access) throw unauthorized('This user no longer exists');
      req.teamUser = { id: userId, access };
      return;
    }
    const id = header(req, 'x-management-id');
    const token = header(req, 'x-management-token');
    if (!id || !token) throw unauthorized('Missing X-Management-Id or X-Management-Token header');
    if (!(await management.check(id, token))) throw unauthorized('Invalid X-Management-Id or X-Management-Token');
  };
}

/**
 * What a team user may do through the management API: within their projects, what their role allows (a project
 * they are not assigned to is not found); outside projects, only list them (creating projects and inviting people
 * take the management credentials). Runs after the route's params are known.
 */
export function teamAuthorization(req: FastifyRequest): void {
  const user = req.teamUser;
  if (!user) return;
  const { projectId } = (req.params ?? {}) as { projectId?: string };
  const route = req.routeOptions.url ?? '';
  if (projectId === undefined) {
    if (req.method === 'GET' && route === '/management/v1/projects') return;
    // An admin of every project an invitation names may send it.
    if (req.method === 'POST' && route === '/management/v1/projects/users/invite') {
      const named = Object.keys((req.body as { projects?: Record<string, unknown> } | undefined)?.projects ?? {});
      const notAdmin = named.find((p) => user.access.get(p) !== 'ADMIN');
      if (notAdmin === undefined) return;
      throw forbidden(`Only an ADMIN of project ${notAdmin} (or the management credentials) can invite people to it`);
    }
    throw forbidden('Only the management credentials can do this; a team user works within their projects');
  }
  const no = refusal(user.access, projectId, req.method, route.replace(/^\/management\/v1\/projects\/:projectId/, ''));
  if (no?.status === 404) throw notFound('project', projectId);
  if (no?.status === 403) throw forbidden(`Role ${no.role} cannot ${no.needed === 'read' ? 'read this' : no.needed === 'admin' ? "change this project's settings, keys, webhooks or team" : 'change data'} in project ${projectId}`);
}

/** What a request causes is attributed to its project, its request id (group_id) and its key. */
export function causeOf(req: FastifyRequest): Cause {
  const caller = req.caller;
  if (!caller) throw new Error('causeOf needs an authenticated request');
  return {
    projectId: caller.projectId,
    groupId: req.id,
    source: { channel: caller.channel, api_key: { name: caller.keyName, app_id: caller.appId } },
  };
}

export function projectIdOf(req: FastifyRequest): string {
  if (!req.caller) throw new Error('projectIdOf needs an authenticated request');
  return req.caller.projectId;
}
