import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { Agent, request } from 'undici';
import { standardSignature, voucherifySignature } from '../modules/delivery/index.js';
import { registerEndpoint, type Registration } from './listen-register.js';

/**
 * `tessera listen`: a receiver for developers building one. Takes webhooks on a local port, checks their signatures
 * with the project's secret, prints a line per delivery and passes the exact bytes on to the app under development,
 * answering with whatever it answered (so Tessera's retries see the app's real behaviour).
 */

interface ListenFlags {
  port: number;
  host: string;
  forwardTo?: string;
  secret?: string;
  printBody?: boolean;
  forwardTimeout: number;
  register?: boolean;
  apiUrl: string;
  project?: string;
  events: string[];
  managementId?: string;
  managementToken?: string;
}

/** Headers that describe one connection, not the message (RFC 9110 7.6.1), and those the forward must redo. */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'expect']);

/** Standard Webhooks receivers refuse timestamps further than this from their clock. */
const toleranceSeconds = 5 * 60;

function port(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be an integer from 0 to 65535');
  return n;
}

function positive(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function httpUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidArgumentError('must be an absolute http or https URL, such as http://localhost:3000/webhooks');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('must use http or https');
  return url.toString();
}

/** The project secret, also when given in its Standard Webhooks form (whsec_ + base64 of its UTF-8 bytes). */
function projectSecret(raw: string): string {
  return raw.startsWith('whsec_') ? Buffer.from(raw.slice('whsec_'.length), 'base64').toString('utf8') : raw;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** OK when at least one signature scheme is present and every present one verifies; the reason when not. */
function checkSignatures(secret: string, req: http.IncomingMessage, body: string, nowSeconds: number): { ok: boolean; note: string } {
  const problems: string[] = [];
  const notes: string[] = [];
  const voucherify = header(req, 'x-voucherify-signature');
  const previous = header(req, 'x-voucherify-signature-previous');
  const standard = header(req, 'webhook-signature');
  if (voucherify === undefined && previous === undefined && standard === undefined) {
    return { ok: false, note: 'no x-voucherify-signature or webhook-signature header' };
  }
  if (voucherify !== undefined || previous !== undefined) {
    const expected = voucherifySignature(secret, body);
    const matches = [voucherify, previous].some((v) => v !== undefined && same(v.trim().toLowerCase(), expected));
    if (!matches) problems.push('x-voucherify-signature does not match');
  }
  if (standard !== undefined) {
    const id = header(req, 'webhook-id');
    const ts = header(req, 'webhook-timestamp');
    const seconds = Number(ts);
    if (id === undefined || ts === undefined) problems.push('webhook-signature without webhook-id or webhook-timestamp');
    else if (!/^\d+$/.test(ts) || String(seconds) !== ts) problems.push(`webhook-timestamp '${ts}' is not whole seconds`);
    else {
      const expected = standardSignature(secret, id, seconds, body);
      if (!standard.split(' ').some((s) => s !== '' && same(s, expected))) problems.push('webhook-signature does not match');
      else if (Math.abs(nowSeconds - seconds) > toleranceSeconds) {
        notes.push(`webhook-timestamp is ${nowSeconds - seconds} s off this clock; Standard Webhooks libraries refuse more than ${toleranceSeconds} s`);
      }
    }
  }
  if (problems.length > 0) return { ok: false, note: problems.join('; ') };
  return { ok: true, note: notes.join('; ') };
}

/** What the printed line shows of an envelope (DIGEST e.2); anything else is shown as such. */
function describeEnvelope(body: string): { type: string; id: string; eventId: string; json: unknown } {
  try {
    const json = JSON.parse(body) as { id?: unknown; type?: unknown; event?: { id?: unknown } } | null;
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : '-');
    return { type: str(json?.type), id: str(json?.id), eventId: str(json?.event?.id), json };
  } catch {
    return { type: '(not JSON)', id: '-', eventId: '-', json: undefined };
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Raw header pairs minus hop-by-hop ones (and those the Connection header names), in their order and spelling. */
function forwardableHeaders(raw: string[], connection: string | undefined): string[] {
  const drop = new Set([...hopByHop, ...(connection ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean)]);
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (!drop.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

function describeError(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'no answer in time';
  const code = e?.code ?? e?.cause?.code;
  const msg = e?.cause?.message ?? e?.message ?? String(err);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** How the printed line describes the outcome. */
  summary: string;
}

function plain(status: number, message: string, summary: string): Answer {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(`${message}\n`), summary };
}

export function listenCommand(program: Command): void {
  program
    .command('listen')
    .description(
      'receive webhooks locally: check their signatures, print one line per delivery and forward them to the app you are '
        + 'building, answering with its status and body. Point a webhook at the printed URL (Tessera needs '
        + 'TESSERA_ALLOW_PRIVATE_TARGETS=true to deliver to a local address).',
    )
    .addOption(new Option('--forward-to <url>', 'pass each webhook on to this URL, with the same bytes and headers (minus hop-by-hop ones), and answer with its status and body; without it, answer 200').argParser(httpUrl))
    .addOption(new Option('--secret <secret>', "the project's webhook signing secret (or its whsec_ form) to check x-voucherify-signature and webhook-signature with; prefer the env variable, which other users cannot see in the process list. Without a secret, signatures are not checked").env('TESSERA_WEBHOOK_SECRET'))
    .addOption(new Option('--port <port>', 'port to listen on; 0 picks a free one').default(0).argParser(port))
    .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1'))
    .addOption(new Option('--print-body', 'also print each body as indented JSON'))
    .addOption(new Option('--register', 'create a webhook endpoint for this session (and delete it on exit) through the management API; needs --project and the management credentials, and fetches the signing secret itself'))
    .addOption(new Option('--project <id>', 'with --register: the project (proj_...) whose webhook to create'))
    .addOption(new Option('--api-url <url>', 'with --register: where Tessera serves').env('TESSERA').default('http://127.0.0.1:8080').argParser(httpUrl))
    .addOption(new Option('--events <type...>', 'with --register: the event types to subscribe to').default(['*']))
    .addOption(new Option('--management-id <id>', 'with --register: X-Management-Id').env('TESSERA_MANAGEMENT_ID'))
    .addOption(new Option('--management-token <token>', 'with --register: X-Management-Token (prefer the env variable)').env('TESSERA_MANAGEMENT_TOKEN'))
    .addOption(new Option('--forward-timeout <ms>', 'how long to wait for the forward target to answer before answering 504').default(10_000).argParser(positive))
    .addHelpText(
      'after',
      [
        '',
        'Each delivery prints: receipt time, event type, sendout id (whs_), event id, the signature verdict',
        '(OK, INVALID with the reason, or unchecked without a secret) and what the forward target answered.',
        'A target that cannot be reached is answered with 502 (504 after --forward-timeout), so Tessera retries.',
        '',
        'Example:',
        '  TESSERA_WEBHOOK_SECRET=... tessera listen --forward-to http://localhost:3000/webhooks --print-body',
        '  TESSERA_MANAGEMENT_ID=... TESSERA_MANAGEMENT_TOKEN=... tessera listen --register --project proj_... --port 4000',
      ].join('\n'),
    )
    .action(async (flags: ListenFlags) => {
      if (flags.register && (!flags.project || !flags.managementId || !flags.managementToken)) {
        throw new Error('--register needs --project and the management credentials (TESSERA_MANAGEMENT_ID and TESSERA_MANAGEMENT_TOKEN, or --management-id and --management-token)');
      }
      let secret = flags.secret !== undefined && flags.secret !== '' ? projectSecret(flags.secret) : undefined;
      const agent = new Agent({ keepAliveTimeout: 4_000 });
      const tally = { deliveries: 0, ok: 0, invalid: 0 };

      async function forward(req: http.IncomingMessage, body: Buffer): Promise<Answer> {
        if (flags.forwardTo === undefined) return plain(200, 'received by tessera listen', '200 (not forwarded)');
        const t0 = performance.now();
        try {
          const res = await request(flags.forwardTo, {
            method: 'POST',
            headers: forwardableHeaders(req.rawHeaders, header(req, 'connection')),
            body,
            dispatcher: agent,
            signal: AbortSignal.timeout(flags.forwardTimeout),
          });
          const answer = Buffer.from(await res.body.arrayBuffer());
          const headers: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !hopByHop.has(k) && k !== 'content-length') headers[k] = v;
          return { status: res.statusCode, headers, body: answer, summary: `${res.statusCode} in ${Math.round(performance.now() - t0)} ms` };
        } catch (err) {
          const why = describeError(err);
          const timedOut = why === 'no answer in time';
          const status = timedOut ? 504 : 502;
          const message = timedOut
            ? `tessera listen: ${flags.forwardTo} did not answer within ${flags.forwardTimeout} ms`
            : `tessera listen: could not forward to ${flags.forwardTo}: ${why}. Is your app running?`;
          return plain(status, message, `${status}: ${flags.forwardTo} ${timedOut ? 'timed out' : `unreachable (${why})`}`);
        }
      }

      const server = http.createServer(async (req, res) => {
        try {
          const received = new Date();
          if (req.method !== 'POST') {
            res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain; charset=utf-8' });
            res.end('tessera listen takes webhooks: POST them here\n');
            return;
          }
          const bytes = await readBody(req);
          const text = bytes.toString('utf8');
          const envelope = describeEnvelope(text);
          let verdict = 'signature unchecked (no secret)';
          if (secret !== undefined) {
            const check = checkSignatures(secret, req, text, Math.floor(received.getTime() / 1000));
            verdict = check.ok ? `signature OK${check.note ? ` (${check.note})` : ''}` : `signature INVALID (${check.note})`;
            tally[check.ok ? 'ok' : 'invalid']++;
          }
          tally.deliveries++;
          const answer = await forward(req, bytes);
          const id = envelope.id !== '-' ? envelope.id : (header(req, 'webhook-id') ?? '-');
          const lines = [`${received.toISOString()}  ${envelope.type}  ${id}  ${envelope.eventId}  ${verdict}  -> ${answer.summary}`];
          if (flags.printBody) {
            const pretty = envelope.json === undefined ? text : JSON.stringify(envelope.json, null, 2);
            lines.push(pretty.replace(/^/gm, '    '));
          }
          process.stdout.write(`${lines.join('\n')}\n`);
          res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
          res.end(answer.body);
        } catch (err) {
          process.stderr.write(`tessera listen: ${describeError(err)}\n`);
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('tessera listen failed on this request\n');
        }
      });

      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(flags.port, flags.host, () => resolve());
      });
      const { address, port: bound } = server.address() as AddressInfo;
      const shown = address === '0.0.0.0' || address === '::' ? 'localhost' : address.includes(':') ? `[${address}]` : address;
      const url = `http://${shown}:${bound}/`;
      let registration: Registration | undefined;
      if (flags.register) {
        try {
          registration = await registerEndpoint({
            apiUrl: flags.apiUrl,
            managementId: flags.managementId!,
            managementToken: flags.managementToken!,
            projectId: flags.project!,
            targetUrl: url,
            events: flags.events,
          });
        } catch (err) {
          server.close();
          await agent.close();
          throw err;
        }
        // The registered endpoint signs with the secret fetched for it (a secret given too may be another project's).
        if (secret !== undefined && secret !== projectSecret(registration.secret)) process.stdout.write('The given secret is not the one this webhook signs with: checking with the fetched one\n');
        secret = projectSecret(registration.secret);
        process.stdout.write(`Registered webhook ${registration.webhookId} of ${flags.project} for ${flags.events.join(', ')} (deleted when this session ends)\n`);
      }
      process.stdout.write(
        [
          `Tessera listen is receiving webhooks on ${url}`,
          '  Register that URL as the webhook target_url (any path works).',
          `  Forwarding to: ${flags.forwardTo ?? 'nowhere (answering 200; use --forward-to <url>)'}`,
          `  Signatures: ${secret === undefined ? 'not checked (give --secret or TESSERA_WEBHOOK_SECRET)' : flags.register ? 'checked with the secret fetched for the registered webhook' : 'checked with the given secret'}`,
          '',
        ].join('\n'),
      );

      let closing = false;
      const shutdown = async () => {
        if (closing) return;
        closing = true;
        if (registration) {
          await registration.remove().then(
            () => process.stdout.write(`Deleted webhook ${registration!.webhookId}\n`),
            (err: unknown) => process.stderr.write(`tessera listen: could not delete webhook ${registration!.webhookId}: ${describeError(err)}\n`),
          );
        }
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await agent.close();
        const checked = secret !== undefined ? `: ${tally.ok} signature OK, ${tally.invalid} INVALID` : '';
        process.stdout.write(`Received ${tally.deliveries} webhook(s)${checked}\n`);
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown());
      process.once('SIGTERM', () => void shutdown());
    });
}
