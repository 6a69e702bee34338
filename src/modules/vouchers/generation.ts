import type { Clock } from '../../core/clock.js';
import { newSortableId } from '../../core/ids.js';
import type { Db } from '../../store/db.js';
import type { EventLog } from '../event-log/index.js';
import { codeShape, drawCodes, generationAction, type CampaignsService } from '../campaigns/index.js';
import * as sql from './sql.js';

/** Rounds in a row that add no code before a generation gives up (the space is used up by other codes). */
export const maxIdleRounds = 10;

/**
 * The code-generation job: each step takes the oldest pending generation no other worker holds (its row locked
 * for the step's short transaction), draws a batch of codes, inserts them in one statement that skips taken codes,
 * and counts what it added; the next step refills the shortfall. No per-code round trips, and a space that stops
 * yielding codes fails the action instead of spinning.
 */
/** Codes one step inserts (TESSERA_JOB_VOUCHERS_GENERATION_BATCH); a step holds PGlite's only connection. */
export const defaultBatch = 2000;

/** Batches at least this large skip the probe for taken codes (see sql.insertGenerated). */
const fastBatch = 500;

export function createGeneration(deps: { db: Db; clock: Clock; log: Pick<EventLog, 'record'>; campaigns: CampaignsService }) {
  const { db, clock, log, campaigns } = deps;

  /** Runs one batch of at most batchSize codes; returns how many it added (0 when there was nothing to do). */
  async function step(batchSize = defaultBatch): Promise<number> {
    return db.transaction(async (tx) => {
      const a = await campaigns.actions.claim(tx, [generationAction]);
      if (!a) return 0;
      const campaign = a.campaign_id ? (await campaigns.byIds(tx, a.project_id, [a.campaign_id]))[0] : undefined;
      const template = campaign?.definition.voucher;
      if (!campaign || !template) {
        await campaigns.actions.save(tx, { ...a, status: 'FAILED', result: { message: `Campaign ${a.campaign_id} no longer exists` } });
        return 0;
      }
      const now = clock.now();
      const want = Math.min(batchSize, a.target - a.progress);
      const base = {
        projectId: a.project_id,
        campaignId: campaign.id,
        type: template.type,
        giftBalance: template.type === 'GIFT_VOUCHER' ? (template.gift?.amount ?? 0) : null, // a sent balance is not taken: credits come with transactions
        now,
      };
      const shape = codeShape(template.code_config);
      let added: number;
      if (want >= fastBatch && a.idle_rounds === 0) {
        // Large batches: distinct candidates (without case) inserted as they are; those taken elsewhere are skipped
        // and the next step refills the shortfall.
        const codes = [...new Map(drawCodes(shape, want).map((c) => [c.toLowerCase(), c])).values()];
        added = await sql.insertGenerated(tx, { ...base, ids: codes.map(() => newSortableId('v', now)), codes });
      } else {
        // The last codes, or a crowded space: spare candidates, probed for taken codes, so that the batch fills.
        const codes = drawCodes(shape, Math.ceil(want * 1.05) + 64);
        added = await sql.insertGeneratedProbing(tx, { ...base, want, pairs: codes.map((c) => [newSortableId('v', now), c]) });
      }
      const progress = a.progress + added;
      const idle = added === 0 ? a.idle_rounds + 1 : 0;
      if (progress >= a.target) {
        await campaigns.actions.save(tx, { ...a, status: 'DONE', progress, idle_rounds: 0, result: { message: `${progress} codes generated`, count: progress } });
        // Another generation of the campaign (codes added later) keeps it IN_PROGRESS until it is done too.
        if ((await campaigns.actions.pending(tx, campaign.id)) === 0) await campaigns.setGenerationStatus(tx, campaign.id, 'DONE');
        const done = { ...campaign, generation_status: 'DONE' as const };
        await log.record(tx, [
          {
            cause: a.cause,
            event: { type: 'campaign.vouchers.generation.completed', entityId: campaign.id, data: { campaign: campaigns.simple(done), count: progress, completed_at: now.toISOString() } },
          },
        ]);
      } else if (idle >= maxIdleRounds) {
        const message = `Code space of code_config ${JSON.stringify(template.code_config ?? {})} is used up: ${progress} of ${a.target} codes generated`;
        await campaigns.actions.save(tx, { ...a, status: 'FAILED', progress, idle_rounds: idle, result: { message, count: progress } });
        await campaigns.setGenerationStatus(tx, campaign.id, 'FAILED');
      } else {
        await campaigns.actions.save(tx, { ...a, status: 'IN_PROGRESS', progress, idle_rounds: idle, result: null });
      }
      return Math.max(added, 1);
    });
  }

  return { step };
}

export type Generation = ReturnType<typeof createGeneration>;
