import { hashToken, tokenMatches } from '../../core/hash.js';
import { newSecret } from '../../core/ids.js';
import type { Db } from '../../store/db.js';
import * as sql from './sql.js';

interface StoredCredentials {
  id: string;
  token_hash: string;
}

const settingKey = 'management_credentials';

/**
 * The instance's management credentials (X-Management-Id / X-Management-Token). Pinned ones (from config) replace
 * whatever is stored; otherwise the first start generates a pair and returns the token once, to be printed.
 */
export function createManagementAuth(deps: { db: Db }) {
  const { db } = deps;
  let cached: StoredCredentials | undefined;

  async function ensure(pinned?: { id: string; token: string }): Promise<{ id: string; token?: string }> {
    if (pinned) {
      cached = { id: pinned.id, token_hash: hashToken(pinned.token) };
      await sql.upsertSetting(db, settingKey, cached);
      return { id: pinned.id };
    }
    const existing = await sql.selectSetting<StoredCredentials>(db, settingKey);
    if (existing) {
      cached = existing;
      return { id: existing.id };
    }
    const token = newSecret();
    const proposed = { id: `mgmt_${newSecret().slice(0, 16)}`, token_hash: hashToken(token) };
    cached = await sql.insertSettingOnce(db, settingKey, proposed);
    // Another process may have generated the pair first: then this token is not the stored one.
    return cached.token_hash === proposed.token_hash ? { id: cached.id, token } : { id: cached.id };
  }

  async function check(id: string, token: string): Promise<boolean> {
    cached ??= await sql.selectSetting<StoredCredentials>(db, settingKey);
    return cached !== undefined && cached.id === id && tokenMatches(token, cached.token_hash);
  }

  /** Whether this is the instance's management id. */
  async function holds(id: string): Promise<boolean> {
    cached ??= await sql.selectSetting<StoredCredentials>(db, settingKey);
    return cached?.id === id;
  }

  /**
   * What identifies the current credentials without revealing them (the token's stored hash): a dashboard session
   * keeps it, and ends when the credentials are replaced.
   */
  async function fingerprint(): Promise<string | undefined> {
    cached ??= await sql.selectSetting<StoredCredentials>(db, settingKey);
    return cached?.token_hash;
  }

  return { ensure, check, holds, fingerprint };
}

export type ManagementAuth = ReturnType<typeof createManagementAuth>;
