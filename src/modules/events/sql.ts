import type { Executor } from '../../store/db.js';

export interface CustomEventRow {
  id: string;
  project_id: string;
  customer_id: string;
  type: string;
  metadata: Record<string, unknown>;
  referral: { code: string; referrer_id?: string } | null;
  loyalty: { code: string } | null;
  created_at: Date;
}

export async function insertEvent(db: Executor, e: CustomEventRow): Promise<void> {
  await db.query(
    `INSERT INTO custom_events (id, project_id, customer_id, type, metadata, referral, loyalty, created_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8)`,
    [
      e.id,
      e.project_id,
      e.customer_id,
      e.type,
      JSON.stringify(e.metadata),
      e.referral === null ? null : JSON.stringify(e.referral),
      e.loyalty === null ? null : JSON.stringify(e.loyalty),
      e.created_at,
    ],
  );
}
