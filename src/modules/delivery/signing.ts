import { createHmac } from 'node:crypto';

/** Voucherify's x-voucherify-signature: lowercase hex HMAC-SHA256 of exactly the bytes sent. */
export function voucherifySignature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

/** The Standard Webhooks secret for a project secret: its UTF-8 bytes, base64, with the whsec_ prefix. */
export function standardWebhooksSecret(secret: string): string {
  return `whsec_${Buffer.from(secret, 'utf8').toString('base64')}`;
}

/** Standard Webhooks signature (`v1,<base64>`) of `${id}.${timestamp}.${body}`, keyed by the secret's bytes. */
export function standardSignature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${id}.${timestampSeconds}.${body}`, 'utf8');
  return `v1,${mac.digest('base64')}`;
}

export interface SigningSecrets {
  current: string;
  /** The secret before the last rotation, while it still signs (24 hours). */
  previous?: string;
}

/** Every signing header of one attempt. During a rotation both secrets sign. */
export function signatureHeaders(secrets: SigningSecrets, id: string, body: string, now: Date): Record<string, string> {
  const ts = Math.floor(now.getTime() / 1000);
  const standard = [standardSignature(secrets.current, id, ts, body)];
  const headers: Record<string, string> = {
    'x-voucherify-signature': voucherifySignature(secrets.current, body),
    'webhook-id': id,
    'webhook-timestamp': String(ts),
  };
  if (secrets.previous) {
    headers['x-voucherify-signature-previous'] = voucherifySignature(secrets.previous, body);
    standard.push(standardSignature(secrets.previous, id, ts, body));
  }
  headers['webhook-signature'] = standard.join(' ');
  return headers;
}
