import type { FastifyInstance } from 'fastify';
import { projectCtx } from '../context.js';
import { html, when, type Html } from '../html.js';
import type { RedemptionsService } from '../../modules/redemptions/index.js';
import type { V1Services } from '../v1.js';

const minutes = 60;
const minuteMs = 60_000;
const colors: Record<string, string> = { events: '#2e6fd0', sent: '#2e8b57', pending: '#8a94a6', retrying: '#e0a100', failed: '#c0392b', succeeded: '#2e8b57' };

/** Per-minute counts for the last hour, oldest first, one entry per minute (0 where nothing happened). */
function buckets(since: Date, rows: Array<{ minute: Date; n: number; key: string }>, keys: string[]): Array<{ at: Date; counts: Record<string, number> }> {
  const start = Math.floor(since.getTime() / minuteMs) * minuteMs;
  const out = Array.from({ length: minutes + 1 }, (_, i) => ({ at: new Date(start + i * minuteMs), counts: Object.fromEntries(keys.map((k) => [k, 0])) as Record<string, number> }));
  for (const r of rows) {
    const i = Math.round((new Date(r.minute).getTime() - start) / minuteMs);
    if (i >= 0 && i < out.length && r.key in out[i]!.counts) out[i]!.counts[r.key]! += r.n;
  }
  return out;
}

/** A stacked bar chart as inline SVG (no script, no styles: attributes only), with its numbers in a table too. */
function chart(id: string, label: string, data: ReturnType<typeof buckets>, keys: string[]): Html {
  const max = Math.max(1, ...data.map((b) => keys.reduce((s, k) => s + b.counts[k]!, 0)));
  const w = 8;
  const h = 120;
  const total = Object.fromEntries(keys.map((k) => [k, data.reduce((s, b) => s + b.counts[k]!, 0)]));
  const bars = data.map((b, i) => {
    let y = h;
    return keys.map((k) => {
      const v = b.counts[k]!;
      if (v === 0) return '';
      const bh = Math.max(1, (v / max) * h);
      y -= bh;
      return html`<rect x="${i * w}" y="${y.toFixed(1)}" width="${w - 1}" height="${bh.toFixed(1)}" fill="${colors[k]}"><title>${when(b.at.toISOString())}: ${v} ${k}</title></rect>`;
    });
  });
  return html`<figure class="card" id="${id}"><figcaption><strong>${label}</strong> <span class="legend">${keys.map(
    (k) => html`<span class="item"><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${colors[k]}"/></svg> ${k} <span data-total="${k}">${total[k]}</span></span> `,
  )}</span></figcaption>
<svg viewBox="0 0 ${data.length * w} ${h}" width="100%" height="${h}" preserveAspectRatio="none" role="img" aria-label="${label}: ${keys.map((k) => `${total[k]} ${k}`).join(', ')} in the last hour">${bars}</svg>
<p class="muted">Last ${minutes} minutes, max ${max} a minute.</p>
<details><summary>As a table</summary><div class="table-wrap"><table><thead><tr><th scope="col">Minute (UTC)</th>${keys.map((k) => html`<th scope="col">${k}</th>`)}</tr></thead>
<tbody>${data.filter((b) => keys.some((k) => b.counts[k]! > 0)).map((b) => html`<tr><td>${when(b.at.toISOString())}</td>${keys.map((k) => html`<td>${b.counts[k]}</td>`)}</tr>`)}</tbody></table></div></details></figure>`;
}

export function overviewRoutes(d: FastifyInstance, s: V1Services & { redemptions: Pick<RedemptionsService, 'perMinute'> }): void {
  d.get<{ Params: { projectId: string } }>('/p/:projectId/overview', async (req, reply) => {
    const c = await projectCtx(req);
    const o = await s.audit.overview(c.project.id, minutes * minuteMs, 24 * 60 * minuteMs);
    const events = await s.log.perMinute(c.project.id, o.since);
    const redemptions = await s.redemptions.perMinute(c.project.id, o.since);
    const results = ['succeeded', 'failed'];
    const statuses = ['sent', 'pending', 'retrying', 'failed'];
    const ms = (v: number | null) => (v === null ? '—' : `${Math.round(v)} ms`);
    const body = html`<h1>Overview</h1>
<div class="grid2">${chart('events-chart', 'Events per minute', buckets(o.since, events.map((e) => ({ ...e, key: 'events' })), ['events']), ['events'])}
${chart('deliveries-chart', 'Deliveries per minute by status', buckets(o.since, o.perMinute.map((r) => ({ minute: r.minute, n: r.n, key: r.status })), statuses), statuses)}
${chart('redemptions-chart', 'Redemptions per minute by result', buckets(o.since, redemptions.map((r) => ({ minute: r.minute, n: r.n, key: r.result === 'SUCCESS' ? 'succeeded' : 'failed' })), results), results)}</div>
<section class="card" aria-labelledby="latency-h"><h2 id="latency-h">Delivery latency</h2>
<p>Over ${o.latency.n} attempt(s) of messages created in the last hour: <strong>p50 <span id="latency-p50">${ms(o.latency.p50)}</span></strong>, <strong>p99 <span id="latency-p99">${ms(o.latency.p99)}</span></strong>.</p></section>
<section aria-labelledby="failing-h"><h2 id="failing-h">Failing endpoints (last 24 hours)</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">Endpoint</th><th scope="col">Source</th><th scope="col">Failed</th><th scope="col">Retrying</th><th scope="col">Last answer</th><th scope="col">Last attempt</th></tr></thead>
<tbody id="failing">${o.failing.length === 0 ? html`<tr><td colspan="6" class="muted">No failing endpoint.</td></tr>` : ''}${o.failing.map(
      (f) => html`<tr data-failing="${f.source_id}"><td class="mono"><a href="${c.base}/sendouts?webhook_id=${encodeURIComponent(f.source_id)}">${f.target_url}</a></td><td>${f.source_object}</td>
<td>${f.failed}</td><td>${f.retrying}</td><td>${f.last_status_code ?? ''} ${f.last_error ?? ''}</td><td>${when(f.last_executed_at ? new Date(f.last_executed_at).toISOString() : null)}</td></tr>`,
    )}</tbody></table></div></section>`;
    return c.render(reply, 'overview', 'Overview', body);
  });
}
