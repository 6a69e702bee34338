/**
 * The delivery bench's webhook receiver, run as its own process so it never shares an event loop with the load:
 * answers every POST with 200 as soon as its body is in, counts unique webhook-ids and records, per first arrival,
 * the arrival time, the envelope's created_at (sendout written), event.created_at (event recorded) and, when the
 * customer in the data carries one, metadata.bench_sent_at (ms since the epoch: when a bench sent the request that
 * caused the webhook).
 * Control endpoints (GET /__stats, GET /__arrivals, POST /__reset) let the bench read and reset its figures.
 */
import http from 'node:http';

/** Wall-clock ms with sub-ms precision, comparable with timestamps other processes on this machine write. */
const wallNow = () => performance.timeOrigin + performance.now();

let seen = new Set<string>();
let total = 0;
let withoutId = 0;
let first = 0;
let last = 0;
/** Flat quadruples per first arrival: arrival, envelope created_at, event.created_at, bench_sent_at (ms since the epoch; NaN if absent). */
let arrivals: number[] = [];

function reset(): void {
  seen = new Set();
  total = 0;
  withoutId = 0;
  first = 0;
  last = 0;
  arrivals = [];
}

function record(id: string | undefined, body: string, at: number): void {
  total++;
  // Every request gets the same work (a JSON parse), first arrival or not, so raw POSTs cost what webhooks cost.
  let created = NaN;
  let eventCreated = NaN;
  let sent = NaN;
  try {
    const env = JSON.parse(body) as {
      created_at?: string;
      event?: { created_at?: string };
      data?: { customer?: { metadata?: { bench_sent_at?: unknown } } };
    } | null;
    created = Date.parse(env?.created_at ?? '');
    eventCreated = Date.parse(env?.event?.created_at ?? '');
    sent = Number(env?.data?.customer?.metadata?.bench_sent_at ?? NaN);
  } catch {
    // Not an envelope: counted, without latency.
  }
  if (id === undefined) {
    withoutId++;
    return;
  }
  if (seen.has(id)) return;
  seen.add(id);
  if (first === 0) first = at;
  last = at;
  arrivals.push(at, created, eventCreated, sent);
}

function answer(res: http.ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/__stats') {
    return answer(res, 200, { unique: seen.size, total, duplicates: total - withoutId - seen.size, without_id: withoutId, first_ms: first, last_ms: last, now_ms: wallNow() });
  }
  if (req.method === 'GET' && req.url === '/__arrivals') return answer(res, 200, arrivals);
  if (req.method === 'POST' && req.url === '/__reset') {
    reset();
    return answer(res, 200, { reset: true });
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = wallNow();
    const id = req.headers['webhook-id'];
    record(typeof id === 'string' ? id : undefined, Buffer.concat(chunks).toString('utf8'), at);
    res.writeHead(200, { 'content-length': 0 });
    res.end();
  });
});

// Connections stay open between phases; the sender closes idle ones itself.
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`webhook receiver listening on http://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => process.exit(0));
