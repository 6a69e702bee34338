/**
 * Exports: POST /v1/exports (and the transaction exports) schedules a CSV file of one kind of object; the
 * `exports.build` job writes it chunk by chunk (each chunk one transaction: up to a batch of rows read after the
 * last one written, in the asked order), then marks it DONE. The file holds the rows that existed when the export
 * was asked for (rows made later are left out; rows changed meanwhile are written as they are when read).
 * GET /v1/exports/{id}/download?token=... streams the chunks; the token is the export's own secret.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { invalidPayload, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Db } from '../../store/db.js';
import type { Cause } from '../event-log/index.js';
import { cell, csvLines, headerOf } from './csv.js';
import { checkFilters, chunkQuery } from './query.js';
import { sources, type Source, type SourceDeps } from './sources.js';
import * as sql from './sql.js';
import type { ExportInput, ExportRow } from './types.js';

/** Rows one build step writes (one chunk). */
export const defaultChunkRows = 5000;
const channelOf = (cause: Cause) => (cause.source.channel === 'API' || cause.source.api_key ? 'API' : String(cause.source.channel ?? 'API'));

export function exportObject(e: ExportRow, baseUrl: string | undefined) {
  return {
    id: e.id,
    object: 'export' as const,
    created_at: e.created_at.toISOString(),
    status: e.status,
    channel: e.channel,
    exported_object: e.exported_object,
    parameters: e.parameters,
    result: e.status === 'DONE' ? { url: `${baseUrl ?? ''}/v1/exports/${e.id}/download?token=${e.token}` } : e.status === 'ERROR' ? { error: e.error } : null,
    user_id: null,
  };
}

export function createExportsService(deps: { db: Db; clock: Clock } & SourceDeps) {
  const { db, clock } = deps;
  const bySource = sources(deps);

  function sourceOf(name: string): Source {
    const s = bySource[name as keyof typeof bySource];
    if (!s) throw invalidPayload(`Property .exported_object must be one of: ${Object.keys(bySource).join(', ')}`);
    return s;
  }

  async function create(cause: Cause, input: ExportInput): Promise<ExportRow> {
    const source = sourceOf(input.exported_object);
    const p = input.parameters ?? {};
    const fields = p.fields && p.fields.length > 0 ? [...new Set(p.fields)] : [...source.defaults];
    const unknown = fields.filter((f) => !source.fields.includes(f));
    if (unknown.length > 0) throw invalidPayload(`Property .parameters.fields: ${unknown.join(', ')} cannot be exported for ${input.exported_object}; use some of ${source.fields.join(', ')}`);
    const order = p.order ?? source.defaultOrder ?? '-created_at';
    if (!Object.hasOwn(source.orders, order.replace(/^-/, ''))) {
      throw invalidPayload(`Property .parameters.order must be one of: ${Object.keys(source.orders).flatMap((k) => [k, `-${k}`]).join(', ')}`);
    }
    checkFilters(source, p.filters);
    const row: ExportRow = {
      id: newId('exp'),
      project_id: cause.projectId,
      exported_object: input.exported_object,
      parameters: { order, fields, ...(p.filters ? { filters: p.filters } : {}) },
      status: 'SCHEDULED',
      channel: channelOf(cause),
      token: randomBytes(24).toString('base64url'),
      position: null,
      row_count: 0,
      chunk_count: 0,
      error: null,
      created_at: clock.now(),
      updated_at: null,
    };
    await sql.insertExport(db, row);
    return row;
  }

  async function get(projectId: string, id: string): Promise<ExportRow> {
    const e = await sql.selectExport(db, projectId, id);
    if (!e) throw notFound('export', id);
    return e;
  }

  /** One chunk of the oldest export still to build; returns the rows written (0: nothing to build). */
  async function step(batch = defaultChunkRows): Promise<number> {
    return db.transaction(async (tx) => {
      const e = await sql.claimPending(tx);
      if (!e) return 0;
      const source = bySource[e.exported_object];
      const now = clock.now();
      await tx.query('SAVEPOINT export_chunk');
      try {
        const q = chunkQuery(source, e, batch);
        const { rows } = await tx.query<Record<string, any>>(q.text, [e.project_id, e.created_at, ...q.params]);
        const values = await source.values(tx, e.project_id, rows);
        const lines = values.map((v) => e.parameters.fields.map((f) => cell(v[f])));
        if (e.chunk_count === 0) lines.unshift(e.parameters.fields.map(headerOf));
        if (lines.length > 0) await sql.insertChunk(tx, e.id, e.chunk_count, csvLines(lines));
        const last = rows.at(-1);
        const position = last ? { value: last.export_position instanceof Date ? last.export_position.toISOString() : (last.export_position as string | number), id: String(last.id) } : e.position;
        const done = rows.length < batch;
        await sql.saveProgress(tx, { id: e.id, status: done ? 'DONE' : 'IN_PROGRESS', position, row_count: e.row_count + rows.length, chunk_count: e.chunk_count + (lines.length > 0 ? 1 : 0), error: null, updated_at: now });
        return Math.max(rows.length, 1);
      } catch (err) {
        // A file that cannot be made ends in ERROR rather than being tried again, forever, ahead of every other export.
        // The chunk's statements are undone first: a failed one leaves the transaction aborted until then.
        await tx.query('ROLLBACK TO SAVEPOINT export_chunk');
        // Without NUL characters, which a text column refuses (the export would stay first in the queue, failing again).
        await sql.saveProgress(tx, { ...e, status: 'ERROR', error: err instanceof Error ? err.message.replaceAll('\0', '').slice(0, 500) : 'export failed', updated_at: now });
        return 1;
      }
    });
  }

  /** The file's text, chunk by chunk, for a download with the export's token (401 without the right one). */
  async function* download(id: string, token: string): AsyncGenerator<string> {
    const e = await sql.selectExport(db, null, id);
    const given = Buffer.from(token);
    if (!e || given.length !== Buffer.from(e.token).length || !timingSafeEqual(given, Buffer.from(e.token))) throw notFound('export', id);
    if (e.status !== 'DONE') throw invalidPayload(`Export ${id} is ${e.status}: its file is ready once the export is DONE`);
    for (let seq = 0; ; ) {
      const chunks = await sql.selectChunks(db, e.id, seq, 4);
      if (chunks.length === 0) return;
      for (const c of chunks) yield c.content;
      seq = chunks.at(-1)!.seq + 1;
    }
  }

  return {
    create,
    get,
    list: (projectId: string, q: { limit: number; page: number; order?: string }) =>
      sql.selectExports(db, projectId, {
        offset: (q.page - 1) * q.limit,
        limit: q.limit,
        by: q.order?.replace(/^-/, '') === 'status' ? 'status' : 'created_at',
        // Newest first by default; a status order is ascending unless '-status'.
        descending: q.order === undefined ? true : q.order.startsWith('-'),
      }),
    async remove(projectId: string, id: string): Promise<void> {
      if (!(await sql.deleteExport(db, projectId, id))) throw notFound('export', id);
    },
    step,
    download,
  };
}

export type ExportsService = ReturnType<typeof createExportsService>;
