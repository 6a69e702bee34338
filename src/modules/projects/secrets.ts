import type { Clock } from '../../core/clock.js';
import { notFound } from '../../core/errors.js';
import { newSecret } from '../../core/ids.js';
import type { Db } from '../../store/db.js';
import * as sql from './sql.js';

/** How long the secret a rotation replaces keeps signing. */
export const rotationOverlapMs = 24 * 60 * 60 * 1000;

export interface ProjectSecrets {
  current: string;
  previous?: string;
  previousExpiresAt?: Date;
}

/** A secret and, while it still signs, the one a rotation replaced (a project's, or an endpoint's own). */
export function liveSecrets(current: string, previous: string | null, previousExpiresAt: Date | null, now: Date): ProjectSecrets {
  return previous && previousExpiresAt && previousExpiresAt > now ? { current, previous, previousExpiresAt } : { current };
}

const toSecrets = (r: sql.SecretsRow, now: Date): ProjectSecrets => liveSecrets(r.webhook_token, r.previous_webhook_token, r.previous_webhook_token_expires_at, now);

/** The projects' webhook signing secrets: read for every delivery batch, rotated through the management API. */
export function createSigningSecrets(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function forProjects(ids: string[]): Promise<Map<string, ProjectSecrets>> {
    if (ids.length === 0) return new Map();
    const now = clock.now();
    const rows = await sql.selectSecrets(db, ids);
    return new Map(rows.map((r) => [r.id, toSecrets(r, now)]));
  }

  async function get(projectId: string): Promise<ProjectSecrets> {
    const s = (await forProjects([projectId])).get(projectId);
    if (!s) throw notFound('project', projectId);
    return s;
  }

  /** A new secret signs from now on; the old one signs too for the next 24 hours. */
  async function rotate(projectId: string): Promise<ProjectSecrets> {
    const now = clock.now();
    const row = await sql.rotateToken(db, projectId, newSecret(), new Date(now.getTime() + rotationOverlapMs), now);
    if (!row) throw notFound('project', projectId);
    return toSecrets(row, now);
  }

  return { forProjects, get, rotate };
}

export type SigningSecretsService = ReturnType<typeof createSigningSecrets>;
