/**
 * Distributions that send e-mail: an smtp:// server named in TESSERA_BROKERS, a channel template that writes the
 * message (its recipient included), delivered to a real SMTP server (smtp-server, in-process). A message that can
 * never go (no address, refused for good) fails alone; the distribution goes on.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';
import { allSendouts, deliverAll } from './helpers/sendouts.js';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

let t: TestTessera;
let p: TestProject;
let smtp: SMTPServer;
const mails: Mail[] = [];
let campaign: any;

const { api, ok } = requestsOf(() => ({ t, p }));

const emailChannel = (template: Record<string, unknown>) => ({ type: 'webhook', target_url: 'smtp://mail', event_name: 'email', raw_payload: true, template });
const welcome = { to: '{{customer.email}}', subject: 'Your {{campaign.name}} code', text: 'Hi {{customer.name}}, your code is {{voucher.code}}.', html: '<p>{{customer.name}}: <b>{{voucher.code}}</b></p>' };

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('bounce@')) return callback(Object.assign(new Error('No such user here'), { responseCode: 550 }));
      return callback();
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  t = await startTessera({ env: { TESSERA_BROKERS: JSON.stringify({ mail: `smtp://127.0.0.1:${port}?from=shop@example.com` }) } });
  p = await t.createProject();
  await defineSchema(t.app, p.id, 'sign_up', {});
  campaign = await ok('POST', '/v1/campaigns', { name: 'Welcome', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { discount: { type: 'PERCENT', percent_off: 10 }, code_config: { prefix: 'MAIL-', length: 6 } } });
});
afterAll(async () => {
  await t.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe('e-mail distributions', () => {
  it('publishes a code on a custom event and e-mails it to the customer, from the configured sender', async () => {
    const d = await ok('POST', '/v1/distributions', { name: 'Welcome mail', purpose: 'publish_unique_codes', campaign_id: campaign.id, trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel: emailChannel(welcome) });
    expect(d.channel).toMatchObject({ target_url: 'smtp://mail', raw_payload: true });
    await ok('POST', '/v1/events', { event: 'sign_up', customer: { source_id: 'mail-ann', name: 'Ann', email: 'ann@example.com' } });
    await deliverAll(t);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.from).toBe('shop@example.com');
    expect(mail!.to).toEqual(['ann@example.com']);
    const code = (await ok('GET', '/v1/publications?customer=mail-ann')).publications[0].voucher.code as string;
    expect(code).toMatch(/^MAIL-/);
    expect(mail!.raw).toMatch(/^Subject: Your Welcome code\r?$/m);
    expect(mail!.raw).toContain(`Hi Ann, your code is ${code}.`);
    expect(mail!.raw).toContain(`<b>${code}</b>`);
    // One Message-ID per sendout, the same on every attempt.
    const [sendout] = await allSendouts(t, p.id, `webhook_id=${d.id}`);
    expect(sendout).toMatchObject({ status: 'sent', target_url: 'smtp://mail' });
    expect(mail!.raw).toContain(`Message-ID: <${sendout.id}@tessera>`);

    // What a customer typed is HTML-escaped in the html body, as is in the text, on one line in the subject.
    await ok('POST', '/v1/events', { event: 'sign_up', customer: { source_id: 'mail-dan', name: 'Dan & <Co>', email: 'dan@example.com' } });
    await deliverAll(t);
    const dan = mails.find((m) => m.to.includes('dan@example.com'))!;
    expect(dan.raw).toContain('Hi Dan & <Co>, your code is');
    expect(dan.raw).toContain('<p>Dan &#38; &#60;Co&#62;: <b>');
  });

  it('fails a message with no address, or one the server refuses for good, alone: the distribution goes on', async () => {
    const d = await ok('POST', '/v1/distributions', { name: 'Hello mail', trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel: emailChannel({ to: '{{customer.email}}', subject: 'Hello', text: 'Hello {{customer.name}}' }) });
    const before = mails.length;
    await ok('POST', '/v1/events', { event: 'sign_up', customer: { source_id: 'mail-noaddress', name: 'Nobody' } });
    await ok('POST', '/v1/events', { event: 'sign_up', customer: { source_id: 'mail-bounce', name: 'Bo', email: 'bounce@example.com' } });
    await ok('POST', '/v1/events', { event: 'sign_up', customer: { source_id: 'mail-cleo', name: 'Cleo', email: 'cleo@example.com' } });
    await deliverAll(t);
    const sendouts = await allSendouts(t, p.id, `webhook_id=${d.id}`);
    const byStatus = sendouts.map((s: { status: string }) => s.status).sort();
    expect(byStatus).toEqual(['failed', 'failed', 'sent']);
    const failed = await Promise.all(
      sendouts.filter((s: { status: string }) => s.status === 'failed').map(async (s: { id: string }) => (await t.app.inject({ method: 'GET', url: `/management/v1/projects/${p.id}/webhook-sendouts/${s.id}`, headers: managementHeaders })).json()),
    );
    const errors = failed.map((s) => s.attempts_log[0].error as string).sort();
    expect(errors[0]).toMatch(/no e-mail address to send to/);
    expect(errors[1]).toMatch(/refused the message.*550/);
    expect(failed.every((s) => s.attempts === 1)).toBe(true);
    expect((await ok('GET', `/v1/distributions/${d.id}`)).status).toBe('TO SEND');
    // Cleo's (and the earlier distribution's, for all three) went out.
    expect(mails.slice(before).flatMap((m) => m.to)).toContain('cleo@example.com');
  });

  it('refuses e-mail channels that cannot write a message, and smtp:// targets for project webhooks', async () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...emailChannel(welcome), raw_payload: false }, /raw_payload/],
      [emailChannel({ subject: 'x', text: 'y' }), /template with to/],
      [emailChannel({ to: '{{customer.email}}', text: 'y' }), /subject/],
      [emailChannel({ to: '{{customer.email}}', subject: 'x' }), /text or html/],
      [emailChannel({ ...welcome, bcc: 'spy@example.com' }), /template\.bcc/],
      [{ ...emailChannel(welcome), target_url: 'smtp://nowhere' }, /no SMTP broker 'nowhere'/],
      [{ ...emailChannel(welcome), target_url: 'smtp://mail/inbox' }, /only a configured SMTP server's name/],
    ];
    for (const [channel, message] of bad) {
      const res = await api('POST', '/v1/distributions', { name: 'Bad mail', trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel });
      expect(res.statusCode, JSON.stringify(channel)).toBe(400);
      expect(res.json().details, JSON.stringify(channel)).toMatch(message);
    }
    const hook = await t.app.inject({ method: 'POST', url: `/management/v1/projects/${p.id}/webhooks`, headers: managementHeaders, payload: { target_url: 'smtp://mail', events: ['customer.created'] } });
    expect(hook.statusCode).toBe(400);
    expect(hook.json().details).toMatch(/project webhook cannot target it/);
  });

  it('sends a test e-mail of a draft distribution to the address asked for, with stand-ins for the code', async () => {
    const d = await ok('POST', '/v1/distributions', { name: 'Draft mail', status: 'DRAFT', purpose: 'publish_unique_codes', campaign_id: campaign.id, trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel: emailChannel(welcome) });
    const before = mails.length;
    const published = (await ok('GET', `/v1/publications?campaign=${campaign.id}`)).total;
    const test = await ok('POST', `/v1/distributions/${d.id}/test`, { email: 'me@example.com' });
    expect(test.message).toMatchObject({ to: 'me@example.com', subject: 'Your Welcome code', text: 'Hi Test Customer, your code is TEST-CODE-0000.' });
    await deliverAll(t);
    expect(mails.length).toBe(before + 1);
    const mail = mails.at(-1)!;
    expect(mail.to).toEqual(['me@example.com']);
    expect(mail.raw).toContain('Hi Test Customer, your code is TEST-CODE-0000.');
    expect(mail.raw).toContain(`Message-ID: <${test.sendout_id}@tessera>`);
    // Nothing published for the test.
    expect((await ok('GET', `/v1/publications?campaign=${campaign.id}`)).total).toBe(published);
  });
});
