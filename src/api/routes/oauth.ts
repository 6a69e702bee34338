/**
 * OAuth 2.0 tokens (client credentials grant) for Voucherify's `X-Voucherify-OAuth` scheme: minted, introspected
 * (RFC 7662) and revoked (RFC 7009) with a project key, sent as HTTP Basic; bodies as forms or JSON.
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MintingKey, OAuth } from '../../modules/projects/index.js';
import { clientCredentials } from '../auth.js';

const text = { type: 'string', maxLength: 2000 } as const;
const body = {
  type: 'object',
  properties: { grant_type: text, scope: text, client_id: text, client_secret: text, token: text, token_type_hint: text },
} as const;

interface OAuthBody {
  grant_type?: string;
  scope?: string;
  token?: string;
}

export async function oauthRoutes(
  app: FastifyInstance,
  deps: { oauth: OAuth; limit: (req: FastifyRequest, reply: FastifyReply) => Promise<void>; clientLimit: (req: FastifyRequest, reply: FastifyReply) => Promise<void> },
): Promise<void> {
  const { oauth } = deps;
  /** The key each request's credentials name, read once (undefined: they do not authenticate). */
  const keys = new WeakMap<FastifyRequest, MintingKey | undefined>();
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  // The key's project, when the credentials hold, so that its call limit counts these calls too: the server API's
  // for a server key, the client API's (per address) for the client key, which is public and must not use up the
  // backend's calls. A token's answer is never cached (RFC 6749 §5.1).
  app.addHook('preHandler', async (req, reply) => {
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const { appId, secret } = clientCredentials(req);
    const key = await oauth.keyOf(appId, secret);
    keys.set(req, key);
    if (!key) return;
    req.project = key.project;
    await (key.kind === 'client' ? deps.clientLimit : deps.limit)(req, reply);
  });

  app.post<{ Body: OAuthBody | undefined }>('/token', { schema: { body } }, async (req) => oauth.issue(keys.get(req), req.body?.grant_type, req.body?.scope));

  app.post<{ Body: OAuthBody | undefined }>('/token/introspect', { schema: { body } }, async (req) => oauth.introspect(keys.get(req), req.body?.token));

  app.post<{ Body: OAuthBody | undefined }>('/token/revoke', { schema: { body } }, async (req, reply) => {
    await oauth.revoke(keys.get(req), req.body?.token);
    return reply.code(200).send({});
  });
}
