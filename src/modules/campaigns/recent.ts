import { definitionsTtlMs, type Definitions } from '../../store/definitions.js';
import type { CampaignRow } from './types.js';

/** Campaigns kept at most (a project with more simply reads the rest). */
const maxEntries = 10_000;

/**
 * Per-process copies of campaigns looked up by id or name, each trusted for the definitions' TTL and dropped at once
 * when a campaign of its project changes (here, or in another process through the definitions' NOTIFY). A lookup
 * that overlaps a change is used once and not kept. Without definitions (a bare service in tests), nothing is kept.
 */
export function createRecentCampaigns(definitions: Pick<Definitions, 'watch'> | undefined, now: () => number = Date.now) {
  const entries = new Map<string, { row: CampaignRow; at: number }>();
  let generation = 0;
  definitions?.watch((projectId) => {
    generation++;
    if (projectId === undefined) entries.clear();
    else for (const k of entries.keys()) if (k.startsWith(`${projectId}\u0000`)) entries.delete(k);
  });
  return {
    async get(projectId: string, key: string, load: () => Promise<CampaignRow>): Promise<CampaignRow> {
      const k = `${projectId}\u0000${key}`;
      const at = now();
      const e = entries.get(k);
      if (e && at - e.at < definitionsTtlMs) return e.row;
      const before = generation;
      const row = await load();
      if (definitions && generation === before) {
        if (entries.size >= maxEntries) entries.clear();
        entries.set(k, { row, at });
      }
      return row;
    },
  };
}
