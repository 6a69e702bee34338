/**
 * Sending distribution messages as e-mail (through nodemailer): one pooled connection set per configured SMTP server
 * (`smtp://` or `smtps://` in TESSERA_BROKERS, with `?from=` the sender). The sendout's body is the message the
 * channel's template wrote: `{to, subject, text?, html?, reply_to?}`. It is delivered when the server accepts it.
 * A refusal that waiting cannot change (a 5xx answer, an address that is not one) fails the message for good
 * without pausing the distribution; anything else is retried on the usual schedule.
 */
import nodemailer from 'nodemailer';
import type { BrokerTarget } from './targets.js';

/** An attempt that retrying cannot help: the sendout fails at once, and its source stays active. */
export class PermanentFailure extends Error {
  readonly permanent = true;
}

export interface EmailMessage {
  to: string;
  subject: string;
  text?: string;
  html?: string;
  reply_to?: string;
}

const address = /^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$/;

/** The message of a sendout's body; a PermanentFailure when it is not one (no recipient, no subject, no text). */
export function emailOf(body: string): EmailMessage {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new PermanentFailure('the message is not the JSON an e-mail template writes');
  }
  const text = (k: string) => (typeof m[k] === 'string' && (m[k] as string).trim() !== '' ? (m[k] as string) : undefined);
  const to = text('to')?.trim();
  if (!to || !address.test(to)) throw new PermanentFailure(`no e-mail address to send to (to: ${JSON.stringify(m.to ?? null).slice(0, 200)})`);
  const subject = text('subject');
  if (!subject) throw new PermanentFailure('the message has no subject');
  if (!text('text') && !text('html')) throw new PermanentFailure('the message has no text or html');
  const replyTo = text('reply_to')?.trim();
  return { to, subject, text: text('text'), html: text('html'), ...(replyTo && address.test(replyTo) ? { reply_to: replyTo } : {}) };
}

type Transport = ReturnType<typeof nodemailer.createTransport>;

export function createSmtpPublisher(options: { brokers: Readonly<Record<string, string>>; timeoutMs: number }) {
  const transports = new Map<string, { transport: Transport; from: string }>();

  function transportOf(name: string) {
    const known = transports.get(name);
    if (known) return known;
    const url = new URL(options.brokers[name]!);
    const from = url.searchParams.get('from') ?? '';
    url.searchParams.delete('from');
    const transport = nodemailer.createTransport({
      url: url.toString(),
      pool: true,
      maxConnections: 5,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    } as never);
    const entry = { transport, from };
    transports.set(name, entry);
    return entry;
  }

  async function publish(target: Extract<BrokerTarget, { kind: 'smtp' }>, body: string, _headers: Record<string, string>, id: string): Promise<void> {
    if (options.brokers[target.broker] === undefined) throw new Error(`no SMTP server '${target.broker}' is configured (TESSERA_BROKERS)`);
    const message = emailOf(body);
    const { transport, from } = transportOf(target.broker);
    try {
      await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        ...(message.text !== undefined ? { text: message.text } : {}),
        ...(message.html !== undefined ? { html: message.html } : {}),
        ...(message.reply_to ? { replyTo: message.reply_to } : {}),
        // One id per sendout, the same on every attempt: a receiver can tell a retry from a second message.
        messageId: `<${id}@tessera>`,
        headers: { 'X-Tessera-Sendout': id },
      });
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      if (typeof code === 'number' && code >= 500 && code < 600) throw new PermanentFailure(`the SMTP server refused the message: ${(err as Error).message}`);
      throw err;
    }
  }

  return {
    publish,
    close: async () => {
      for (const { transport } of transports.values()) transport.close();
      transports.clear();
    },
  };
}
