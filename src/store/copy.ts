/**
 * Copies every row of one Tessera store into another that is empty and at the same migration: how an embedded
 * (PGlite) store moves to a PostgreSQL server (`tessera copy-store`). One transaction on the target: a copy that
 * fails leaves it as it was. Tables are copied in the order of their foreign keys, in chunks of rows read through a
 * cursor; the target's triggers are held off meanwhile (they keep derived rows that are copied as they are), and its
 * sequences are set to the source's values.
 */
import type { Db, Queryable } from './db.js';

export class CopyRefused extends Error {}

export interface CopySummary {
  tables: number;
  rows: number;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function migrationsOf(db: Queryable): Promise<string> {
  try {
    const { rows } = await db.query<{ id: number }>('SELECT id FROM tessera_migrations ORDER BY id');
    return rows.map((r) => r.id).join(',');
  } catch {
    return '';
  }
}

/** The tables of the schema, each after the tables it references. */
async function tablesInOrder(db: Queryable): Promise<string[]> {
  const { rows: tables } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'tessera_migrations'
      ORDER BY c.relname`,
  );
  const { rows: refs } = await db.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
      WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace AND k.conrelid <> k.confrelid`,
  );
  const needs = new Map(tables.map((t) => [t.name, new Set<string>()]));
  for (const r of refs) needs.get(r.child)?.add(r.parent);
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < tables.length) {
    const ready = [...needs.keys()].filter((t) => !placed.has(t) && [...needs.get(t)!].every((p) => placed.has(p) || !needs.has(p)));
    if (ready.length === 0) throw new CopyRefused('the tables reference each other in a circle; they cannot be copied in order');
    for (const t of ready) {
      order.push(t);
      placed.add(t);
    }
  }
  return order;
}

/**
 * Refuses, before anything is written to it, a target that holds tables of something else than Tessera (an existing
 * database named by mistake): a new, empty database or a Tessera one may be migrated and copied into.
 */
export async function checkTarget(db: Queryable): Promise<void> {
  const { rows } = await db.query<{ tables: number; tessera: boolean }>(
    `SELECT count(*)::int AS tables, bool_or(relname = 'tessera_migrations') AS tessera FROM pg_class
      WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')`,
  );
  if (rows[0]!.tables > 0 && !rows[0]!.tessera) {
    throw new CopyRefused(`the target holds ${rows[0]!.tables} tables that are not Tessera's: copy into a new, empty database`);
  }
}

export async function copyStore(source: Db, target: Db, options: { chunkRows?: number; onTable?: (table: string, rows: number) => void } = {}): Promise<CopySummary> {
  const chunk = options.chunkRows ?? 1000;
  const [from, to] = [await migrationsOf(source), await migrationsOf(target)];
  if (from === '') throw new CopyRefused('the source is not a Tessera store (it has no migrations)');
  if (from !== to) throw new CopyRefused('the source and the target are not at the same migration: run `tessera migrate` on both first (with the same version of Tessera)');
  const tables = await tablesInOrder(target);
  let total = 0;
  await target.transaction(async (tx) => {
    for (const t of tables) {
      const { rows } = await tx.query<{ taken: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${ident(t)}) AS taken`);
      if (rows[0]?.taken) throw new CopyRefused(`the target is not empty (table ${t} has rows): copy into a new, migrated database`);
    }
    // Triggers keep derived rows (segment lists) that are copied as they are; foreign keys stay checked.
    for (const t of tables) await tx.exec(`ALTER TABLE ${ident(t)} DISABLE TRIGGER USER`);
    await source.transaction(async (stx) => {
      for (const t of tables) {
        const { rows: cols } = await tx.query<{ name: string }>(
          `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
          [ident(t)],
        );
        const list = cols.map((c) => ident(c.name)).join(', ');
        await stx.exec(`DECLARE tessera_copy NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS r FROM ${ident(t)} t`);
        let copied = 0;
        for (;;) {
          const { rows } = await stx.query<{ r: string }>(`FETCH ${chunk} FROM tessera_copy`);
          if (rows.length === 0) break;
          await tx.query(`INSERT INTO ${ident(t)} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${ident(t)}, $1::json)`, [`[${rows.map((r) => r.r).join(',')}]`]);
          copied += rows.length;
        }
        await stx.exec('CLOSE tessera_copy');
        total += copied;
        options.onTable?.(t, copied);
      }
      const { rows: seqs } = await stx.query<{ name: string }>(`SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'S'`);
      for (const s of seqs) {
        const { rows } = await stx.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${ident(s.name)}`);
        await tx.query('SELECT setval($1::regclass, $2::bigint, $3)', [ident(s.name), rows[0]!.last_value, rows[0]!.is_called]);
      }
    });
    for (const t of tables) await tx.exec(`ALTER TABLE ${ident(t)} ENABLE TRIGGER USER`);
  });
  return { tables: tables.length, rows: total };
}
