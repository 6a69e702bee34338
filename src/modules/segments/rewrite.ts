import type { Executor } from '../../store/db.js';
import type { CustomersService } from '../customers/index.js';
import type { MemberRow } from './member-rows.js';
import * as sql from './sql.js';

/**
 * Rewrites these customers' membership rows outside an evaluation (a static segment's members, a sweep): the
 * customers are locked FOR SHARE first, as an evaluation's would be (each row is read and written whole), and
 * `next` says each one's new row (undefined: left as it is). Customers that no longer exist are left alone.
 */
export async function rewriteMemberRows(customers: Pick<CustomersService, 'byIds'>, tx: Executor, projectId: string, ids: string[], next: (row: MemberRow | undefined) => MemberRow | undefined) {
  const locked = await customers.byIds(tx, projectId, ids, 'share');
  const current = await sql.selectMemberRows(tx, locked.map((c) => c.id));
  const writes = locked.flatMap((c) => {
    const row = next(current.get(c.id));
    return row ? [{ customer_id: c.id, project_id: projectId, row }] : [];
  });
  await sql.writeMemberRows(tx, writes);
}
