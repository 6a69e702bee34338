/**
 * `tessera listen --register`: creates a webhook endpoint for the listening session through the management API and
 * deletes it when the session ends, as the Stripe CLI does; also fetches the project's signing secret, so the
 * session checks signatures without one being copied by hand.
 */

export interface RegisterOptions {
  apiUrl: string;
  managementId: string;
  managementToken: string;
  projectId: string;
  targetUrl: string;
  events: string[];
}

export interface Registration {
  webhookId: string;
  secret: string;
  /** Deletes the endpoint; resolves once it is gone (or was gone already). */
  remove(): Promise<void>;
}

async function call(o: RegisterOptions, method: string, path: string, body?: unknown): Promise<any> {
  const url = new URL(`/management/v1/projects/${encodeURIComponent(o.projectId)}${path}`, o.apiUrl);
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        'x-management-id': o.managementId,
        'x-management-token': o.managementToken,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new Error(`cannot reach Tessera at ${o.apiUrl} (${(err as Error).message}); is it running? Give its URL with --api-url`);
  }
  if (res.status === 204 || (method === 'DELETE' && res.status === 404)) return undefined;
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) throw new Error(`${method} ${url.pathname} answered ${res.status}: ${json?.details ?? text.slice(0, 300)}`);
  return json;
}

export async function registerEndpoint(o: RegisterOptions): Promise<Registration> {
  const hook = await call(o, 'POST', '/webhooks', { target_url: o.targetUrl, events: o.events, description: 'tessera listen session' });
  try {
    const { secret } = await call(o, 'GET', '/webhook-secret');
    return { webhookId: hook.id, secret, remove: () => call(o, 'DELETE', `/webhooks/${hook.id}`) };
  } catch (err) {
    await call(o, 'DELETE', `/webhooks/${hook.id}`).catch(() => undefined);
    throw err;
  }
}
