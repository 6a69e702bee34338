import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { notFound, TesseraError } from '../../core/errors.js';
import { hashToken, tokenMatches } from '../../core/hash.js';
import { newId, newSecret } from '../../core/ids.js';
import { isUniqueViolation, type Db, type Executor } from '../../store/db.js';
import { lockUntilCommit } from '../../store/locks.js';
import * as sql from './sql.js';
import type { ApiKeyRow, Caller, KeyKind, KeyPair, ProjectRow, ProjectSettings } from './types.js';

export interface ProjectInput {
  name?: string;
  [key: string]: unknown;
}

export interface CreatedProject {
  project: ProjectRow;
  serverKey: KeyPair;
  clientKey: KeyPair;
}

const settingDefaults: ProjectSettings = {
  description: null,
  timezone: 'UTC',
  currency: 'USD',
  dial_code: null,
  // Codes compare without case unless the project asks for case-sensitive ones (Voucherify's create requires the key).
  case_sensitive_codes: false,
  client_trusted_domains: [],
  client_redeem_enabled: false,
  client_publish_enabled: false,
  client_list_vouchers_enabled: false,
  client_create_customer_enabled: false,
  client_loyalty_events_enabled: false,
  client_set_voucher_expiration_date_enabled: false,
  // Voucherify's e-mail and in-app notices of usage limits and failing callouts: Tessera sends none (kept when set).
  webhooks_callout_notifications: null,
  api_usage_notifications: null,
  // Our extension: API call limits ({calls, seconds}); null: the instance's default.
  api_rate_limit: null,
  client_rate_limit: null,
  bulk_api_rate_limit: null,
};

/** Fields that are ours to set, never the caller's. */
const managedFields = new Set(['id', 'name', 'webhook_token', 'server_side_key', 'client_side_key', 'created_at', 'updated_at', 'object', 'users']);

function pickSettings(input: ProjectInput): ProjectSettings {
  const out: ProjectSettings = {};
  for (const [k, v] of Object.entries(input)) if (!managedFields.has(k) && v !== undefined) out[k] = v;
  return out;
}

interface CachedKey {
  key: ApiKeyRow;
  project: ProjectRow;
  expiresAt: number;
}

/** How long a resolved key and its project settings are reused before being read again. */
const keyCacheMs = 5_000;

export interface ProjectsDeps {
  db: Db;
  clock: Clock;
  /** Announces key changes to every process (their key caches drop the project) and hears theirs. */
  definitions?: { changed(projectId?: string): Promise<void>; watch(fn: (projectId: string | undefined) => void): void };
}

export function createProjectsService(deps: ProjectsDeps) {
  const { db, clock } = deps;
  const keyCache = new Map<string, CachedKey>();
  deps.definitions?.watch((projectId) => (projectId === undefined ? keyCache.clear() : forgetProject(projectId)));

  async function newKey(tx: Executor, projectId: string, kind: KeyKind, name: string): Promise<KeyPair> {
    const pair = { app_id: randomUUID(), app_token: newSecret() };
    await sql.insertKey(tx, { app_id: pair.app_id, project_id: projectId, kind, name, token_hash: hashToken(pair.app_token) }, clock.now());
    return pair;
  }

  async function create(input: ProjectInput, tx?: Executor): Promise<CreatedProject> {
    const run = async (t: Executor): Promise<CreatedProject> => {
      const now = clock.now();
      const project: ProjectRow = {
        id: newId('proj', 12),
        name: String(input.name),
        settings: { ...settingDefaults, ...pickSettings(input) },
        webhook_token: newSecret(),
        created_at: now,
        updated_at: null,
      };
      await sql.insertProject(t, project);
      const serverKey = await newKey(t, project.id, 'server', 'Server-side key');
      const clientKey = await newKey(t, project.id, 'client', 'Client-side key');
      return { project, serverKey, clientKey };
    };
    return tx ? run(tx) : db.transaction(run);
  }

  async function get(id: string): Promise<ProjectRow> {
    const p = await sql.selectProject(db, id);
    if (!p) throw notFound('project', id);
    return p;
  }

  async function update(id: string, input: ProjectInput): Promise<ProjectRow> {
    const current = await get(id);
    const settings = { ...current.settings, ...pickSettings(input) };
    const name = typeof input.name === 'string' ? input.name : current.name;
    const row = await sql.updateProjectRow(db, id, name, settings, clock.now()).catch((err: unknown) => {
      // case_sensitive_codes set false: the project's codes are compared again without case (a trigger of the
      // migration that made them compare as the setting says), and two of them differ only in case.
      if (isUniqueViolation(err, 'vouchers_code_unique')) {
        throw new TesseraError('duplicate_found', 'case_sensitive_codes: the project holds codes that differ only in case, so they cannot be compared without case', { resourceId: id, resourceType: 'project' });
      }
      throw err;
    });
    if (!row) throw notFound('project', id);
    forgetProject(id);
    return row;
  }

  /** Replaces the project's server or client key: the old one stops authenticating at once (here; elsewhere on NOTIFY). */
  async function regenerateKey(id: string, kind: KeyKind): Promise<KeyPair> {
    const pair = await db.transaction(async (tx) => {
      // A project deleted meanwhile is a 404, not a key of no project.
      if (!(await sql.holdProject(tx, id))) throw notFound('project', id);
      await sql.deleteKeysOfProject(tx, id, kind);
      return newKey(tx, id, kind, kind === 'server' ? 'Server-side key' : 'Client-side key');
    });
    forgetProject(id);
    await deps.definitions?.changed(id);
    return pair;
  }

  async function remove(id: string): Promise<void> {
    if (!(await sql.deleteProjectRow(db, id))) throw notFound('project', id);
    forgetProject(id);
  }

  function forgetProject(projectId: string): void {
    for (const [appId, c] of keyCache) if (c.project.id === projectId) keyCache.delete(appId);
  }

  async function resolveKey(appId: string): Promise<CachedKey | undefined> {
    const cached = keyCache.get(appId);
    if (cached && cached.expiresAt > Date.now()) return cached;
    const key = await sql.selectKey(db, appId);
    if (!key) {
      keyCache.delete(appId);
      return undefined;
    }
    const project = await sql.selectProject(db, key.project_id);
    if (!project) return undefined;
    const entry = { key, project, expiresAt: Date.now() + keyCacheMs };
    keyCache.set(appId, entry);
    return entry;
  }

  /** Checks a key pair of the given kind; undefined when it does not authenticate. */
  async function authenticate(
    appId: string,
    token: string,
    kind: KeyKind,
  ): Promise<{ caller: Caller; project: ProjectRow } | undefined> {
    const entry = await resolveKey(appId);
    if (!entry || entry.key.kind !== kind || !tokenMatches(token, entry.key.token_hash)) return undefined;
    return {
      caller: {
        projectId: entry.project.id,
        appId,
        keyName: entry.key.name,
        channel: kind === 'server' ? 'API' : 'CLIENT_API',
      },
      project: entry.project,
    };
  }

  /** On the first start on an empty store, a default project exists; returns its keys only when it was just made. */
  async function ensureDefault(): Promise<CreatedProject | undefined> {
    return db.transaction(async (tx) => {
      await lockUntilCommit(tx, 'defaultProject');
      if ((await sql.countProjects(tx)) > 0) return undefined;
      return create({ name: 'Default project' }, tx);
    });
  }

  return {
    create,
    get,
    list: () => sql.selectProjects(db),
    update,
    remove,
    regenerateKey,
    authenticate,
    ensureDefault,
    serverKeyIds: async (projectId: string) => (await sql.selectKeysOfProject(db, projectId, 'server')).map((k) => k.app_id),
  };
}

export type ProjectsService = ReturnType<typeof createProjectsService>;
