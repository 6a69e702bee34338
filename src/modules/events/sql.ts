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

/** Inserts many custom events in one statement. */
export async function insertEvents(db: Executor, events: CustomEventRow[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `INSERT INTO custom_events (id, project_id, customer_id, type, metadata, referral, loyalty, created_at)
     SELECT id, project_id, customer_id, type, metadata, referral, loyalty, created_at
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, project_id text, customer_id text, type text, metadata jsonb,
            referral jsonb, loyalty jsonb, created_at timestamptz)`,
    [JSON.stringify(events.map((e) => ({ ...e, created_at: e.created_at.toISOString() })))],
  );
}
