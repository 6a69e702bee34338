/**
 * OAuth 2.0 access tokens (client credentials grant), as Voucherify's `X-Voucherify-OAuth` security scheme has
 * them: a project's key mints a token that lives 15 minutes and reaches only its scopes. A scope is `api` (the whole
 * server API), `client_api` (the whole client API), or one family of routes: `customers` for `/v1/customers...`,
 * `client_publish` for `/client/v1/publish...`. Tokens are stored as digests and die with the key that minted them.
 */
import type { Clock } from '../../core/clock.js';
import { invalidPayload, unauthorized } from '../../core/errors.js';
import { hashToken } from '../../core/hash.js';
import { newSecret } from '../../core/ids.js';
import type { Db } from '../../store/db.js';
import type { ProjectsService } from './service.js';
import * as sql from './sql.js';
import type { Caller, KeyKind, ProjectRow } from './types.js';

/** How long a token lives, in seconds (Voucherify's 15 minutes). */
export const tokenLifetimeSeconds = 900;

/** The scopes of Voucherify's OAuth scheme: the two whole APIs and each family of routes. */
export const oauthScopes = [
  'api', 'client_api',
  'async-actions', 'assets', 'campaigns', 'categories', 'consents', 'customers', 'events', 'exports', 'locations', 'loyalties',
  'metadata-schemas', 'orders', 'product-collections', 'products', 'promotions', 'publications', 'qualifications', 'redemptions',
  'referrals', 'rewards', 'segments', 'skus', 'task-results', 'templates', 'trash-bin', 'validation-rules',
  'validation-rules-assignments', 'validations', 'vouchers',
  'client_consents', 'client_customers', 'client_events', 'client_promotions', 'client_publish', 'client_qualifications',
  'client_redeem', 'client_redemptions', 'client_validate', 'client_validations', 'client_vouchers',
] as const;
const knownScopes = new Set<string>(oauthScopes);

/** The scopes that reach a path: its API's whole scope and its family's (undefined: no OAuth there). */
export function scopesFor(path: string): [string, string] | undefined {
  const m = /^\/(client\/)?v1\/([^/?#]+)/.exec(path);
  if (!m) return undefined;
  return m[1] ? ['client_api', `client_${m[2]}`] : ['api', m[2]!];
}

export function scopesAllow(scopes: readonly string[], path: string): boolean {
  const needed = scopesFor(path);
  return needed !== undefined && needed.some((s) => scopes.includes(s));
}

/** The project key an OAuth request authenticates with (HTTP Basic or client_id / client_secret). */
export interface MintingKey {
  caller: Caller;
  project: ProjectRow;
  kind: KeyKind;
}

export interface TokenAuth {
  project: ProjectRow;
  appId: string;
  keyName: string;
  kind: KeyKind;
  scopes: string[];
}

interface Cached {
  auth: TokenAuth | undefined;
  until: number;
}

/** How long a looked-up token is trusted before it is read again (a revocation elsewhere is heard at once). */
const tokenCacheMs = 5_000;

export interface OAuthDeps {
  db: Db;
  clock: Clock;
  projects: ProjectsService;
  definitions?: { changed(projectId?: string): Promise<void>; watch(fn: (projectId: string | undefined) => void): void };
}

export function createOAuth(deps: OAuthDeps) {
  const { db, clock, projects } = deps;
  const cache = new Map<string, Cached>();
  deps.definitions?.watch((projectId) => {
    if (projectId === undefined) return cache.clear();
    for (const [hash, c] of cache) if (c.auth?.project.id === projectId) cache.delete(hash);
  });

  /** The project key a pair names, server or client; undefined when it does not authenticate. */
  async function keyOf(appId: string, secret: string): Promise<MintingKey | undefined> {
    const server = await projects.authenticate(appId, secret, 'server');
    if (server) return { ...server, kind: 'server' };
    const client = await projects.authenticate(appId, secret, 'client');
    return client ? { ...client, kind: 'client' } : undefined;
  }

  function must(key: MintingKey | undefined): MintingKey {
    if (!key) throw unauthorized('Invalid client credentials: an OAuth token is minted with a project key (app id and token)');
    return key;
  }

  function scopesOf(text: string | undefined, kind: KeyKind): string[] {
    const asked = [...new Set((text ?? '').split(/[\s+]+/).filter((s) => s !== ''))];
    if (asked.length === 0) return [kind === 'server' ? 'api' : 'client_api'];
    const unknown = asked.find((s) => !knownScopes.has(s));
    if (unknown !== undefined) throw invalidPayload(`Unknown scope '${unknown.slice(0, 100)}'; scopes are api, client_api, or one of ${oauthScopes.slice(2).join(', ')}`);
    const serverOnly = asked.find((s) => s !== 'client_api' && !s.startsWith('client_'));
    if (kind === 'client' && serverOnly !== undefined) throw invalidPayload(`A client-side key mints client scopes only (client_api, client_...), not '${serverOnly}'`);
    return asked;
  }

  async function issue(credentials: MintingKey | undefined, grantType: string | undefined, scope: string | undefined) {
    if (grantType !== 'client_credentials') throw invalidPayload(`grant_type must be client_credentials${grantType === undefined ? '' : `, not '${grantType.slice(0, 100)}'`}`);
    const key = must(credentials);
    const appId = key.caller.appId;
    const scopes = scopesOf(scope, key.kind);
    const token = newSecret();
    const now = clock.now();
    await sql.insertOAuthToken(db, { tokenHash: hashToken(token), appId, projectId: key.project.id, scopes, createdAt: now, expiresAt: new Date(now.getTime() + tokenLifetimeSeconds * 1000) });
    // Tokens a day past their end are of no use even to introspection: a few go with each new one.
    await sql.deleteExpiredOAuthTokens(db, new Date(now.getTime() - 86_400_000), 10);
    return { access_token: token, token_type: 'bearer', expires_in: tokenLifetimeSeconds, scope: scopes.join(' ') };
  }

  async function lookUp(token: string): Promise<{ auth: TokenAuth; row: sql.OAuthTokenRow } | undefined> {
    const row = await sql.selectOAuthToken(db, hashToken(token));
    if (!row) return undefined;
    const project = await projects.get(row.project_id).catch(() => undefined);
    if (!project) return undefined;
    return { row, auth: { project, appId: row.app_id, keyName: row.key_name, kind: row.key_kind, scopes: row.scopes } };
  }

  /** A live token's project, key and scopes; undefined when it is unknown, expired, revoked or its key is gone. */
  async function authenticate(token: string): Promise<TokenAuth | undefined> {
    const hash = hashToken(token);
    const now = clock.now().getTime();
    const cached = cache.get(hash);
    if (cached && cached.until > now) return cached.auth;
    const found = await lookUp(token);
    const live = found && found.row.revoked_at === null && found.row.expires_at.getTime() > now ? found.auth : undefined;
    const until = Math.min(now + tokenCacheMs, live ? found!.row.expires_at.getTime() : Infinity);
    if (cache.size > 10_000) cache.clear();
    cache.set(hash, { auth: live, until });
    return live;
  }

  /** RFC 7662: what a token is, to the key that minted it (another key's token is inactive to it). */
  async function introspect(credentials: MintingKey | undefined, token: string | undefined) {
    const appId = must(credentials).caller.appId;
    if (!token) throw invalidPayload('token is required');
    const found = await lookUp(token);
    const now = clock.now();
    if (!found || found.row.app_id !== appId || found.row.revoked_at !== null || found.row.expires_at <= now) return { active: false };
    return {
      active: true,
      scope: found.row.scopes.join(' '),
      client_id: appId,
      token_type: 'bearer',
      iat: Math.floor(found.row.created_at.getTime() / 1000),
      exp: Math.floor(found.row.expires_at.getTime() / 1000),
      expires_in: Math.max(0, Math.floor((found.row.expires_at.getTime() - now.getTime()) / 1000)),
      project_id: found.row.project_id,
    };
  }

  /** RFC 7009: the key's token stops working at once here, and in other processes when they hear of it. */
  async function revoke(credentials: MintingKey | undefined, token: string | undefined): Promise<void> {
    const key = must(credentials);
    const appId = key.caller.appId;
    if (!token) throw invalidPayload('token is required');
    const hash = hashToken(token);
    if (await sql.revokeOAuthToken(db, hash, appId, clock.now())) {
      cache.delete(hash);
      await deps.definitions?.changed(key.project.id);
    }
  }

  return { keyOf, issue, authenticate, introspect, revoke };
}

export type OAuth = ReturnType<typeof createOAuth>;
