/**
 * The baseline: a bare node:http server that reads and parses the JSON body and answers a small JSON, nothing else.
 * What Tessera does per event beyond this is the cost of its work; the ingest bench reports the ratio.
 */
import http from 'node:http';

let served = 0;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let status = 200;
    let answer: string;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event?: unknown };
      answer = JSON.stringify({ id: `event_${++served}`, object: 'event', type: body.event ?? null });
    } catch {
      status = 400;
      answer = JSON.stringify({ code: 400, key: 'invalid_json', message: 'Invalid JSON' });
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  });
});

// As Fastify's default: connections of the load generator stay open between phases.
server.keepAliveTimeout = 72_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`bare server listening on http://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => process.exit(0));
