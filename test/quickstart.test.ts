/**
 * The README's quickstart, run as written against a real server on PGlite (the built CLI, as `npm start` runs it):
 * every shell block in order in one bash session, the SDK snippet with node, the receiver block in the background.
 * The only changes are what a reader fills in: the printed keys (as the variables the README names) and a free
 * port instead of 4000.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cli, killAll, root, spawnCli } from './helpers/cli.js';
import { driver } from './helpers/db.js';

const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The fenced blocks of the quickstart section, in order. */
function quickstartBlocks(): Array<{ lang: string; code: string }> {
  const start = readme.indexOf('\n## Quickstart');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end);
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let tmp: string;
beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (npm run build)`);
  tmp = await mkdtemp(join(tmpdir(), 'tessera-quickstart-'));
});
afterAll(async () => {
  await killAll();
  await rm(tmp, { recursive: true, force: true });
});

describe.skipIf(driver !== 'pglite')('README quickstart', { timeout: 240_000 }, () => {
  it('reaches a verified, retried webhook and a redeemed code as written', async () => {
    const blocks = quickstartBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(15);
    // Block 1 is how to start Tessera: the same command line, on a fresh data directory and a free port.
    expect(blocks[0]!.code).toContain('npm start -- --allow-private-targets');
    const server = spawnCli(['serve', '--allow-private-targets', '--port', '0', '--data-dir', join(tmp, 'data')]);
    const [, url] = await server.waitFor(/Tessera is listening on (http:\/\/\S+)/, 120_000);
    await server.waitFor(/Webhook signing secret:\s+\S+/, 30_000);
    const printed = (label: string) => server.output().match(new RegExp(`${label}:\\s+(\\S+)`))![1]!;
    const vars = {
      TESSERA: url!,
      TESSERA_MANAGEMENT_ID: printed('X-Management-Id'),
      TESSERA_MANAGEMENT_TOKEN: printed('X-Management-Token'),
      PROJECT: server.output().match(/Default project (proj_\S+)/)![1]!,
      APP_ID: printed('X-App-Id'),
      APP_TOKEN: printed('X-App-Token'),
    };
    // Block 2 names exactly these variables.
    for (const name of Object.keys(vars)) expect(blocks[1]!.code).toContain(`export ${name}=`);

    const port = String(await freePort());
    const listenLog = join(tmp, 'listen.log');
    const sdkFile = join(root, `.quickstart-${process.pid}.mjs`);
    const parts: string[] = [];
    let sdkSeen = false;
    blocks.slice(2).forEach((b, i) => {
      const code = b.code.replaceAll('4000', port);
      parts.push(`echo; echo '@@@ block ${i + 3}'`);
      if (b.lang === 'js') {
        sdkSeen = true;
        parts.push(`node ${JSON.stringify(sdkFile)}`);
      } else if (code.startsWith('# In a third shell')) {
        parts.push(`( ${code.trim()} ) > ${JSON.stringify(listenLog)} 2>&1 &`);
        parts.push(`until grep -q 'receiving webhooks' ${JSON.stringify(listenLog)} 2>/dev/null; do sleep 0.2; done`);
      } else {
        parts.push(code);
      }
      // What a reader's typing takes: deliveries and background work have happened by the next block.
      parts.push('sleep 1.5');
    });
    const sdkBlock = blocks.find((b) => b.lang === 'js');
    expect(sdkSeen && sdkBlock).toBeTruthy();
    await writeFile(sdkFile, sdkBlock!.code);
    const script = `${parts.join('\n')}\nkill %1 2>/dev/null; wait\n`;
    let out = '';
    let group: number | undefined;
    try {
      // Its own process group: `kill %1` ends npx, not the listener npx started, so the whole group goes at the end.
      const bash = spawn('bash', ['-c', script], { cwd: root, env: cleanEnv(vars), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      group = bash.pid;
      bash.stdout.on('data', (d: Buffer) => (out += d.toString()));
      bash.stderr.on('data', (d: Buffer) => (out += d.toString()));
      // A step that hangs ends the script (and shows what it printed) well before the test's own timeout.
      const stuck = setTimeout(() => {
        out += '\n@@@ the quickstart script was still running after 180 s: stopped\n';
        try {
          process.kill(-group!, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }, 180_000);
      const code = await new Promise<number | null>((r) => bash.on('exit', r)).finally(() => clearTimeout(stuck));
      expect(code, out).toBe(0);
    } finally {
      if (group !== undefined) {
        try {
          process.kill(-group, 'SIGTERM');
        } catch {
          // The group is gone already.
        }
      }
      await rm(sdkFile, { force: true });
    }
    const byBlock = new Map(out.split(/^@@@ block (\d+)\n/m).reduce<Array<[number, string]>>((acc, s, i, all) => (i % 2 === 1 ? [...acc, [Number(s), all[i + 1] ?? '']] : acc), []));
    const text = [...byBlock.values()].join("\n");
    if (process.env.QUICKSTART_DEBUG) console.log(out);
    // No request of the quickstart is refused.
    expect(text, text).not.toMatch(/"code":[45]\d\d,"key"/);
    const blockWith = (needle: string) => [...byBlock.entries()].find(([n]) => blocks[n - 1]!.code.includes(needle))?.[1] ?? '';
    expect(blockWith('custom-event-schemas')).toContain('"name":"sign_up"');
    expect(blockWith('"alice@example.com", "name": "Alice"')).toContain('"object":"event"');
    expect(blockWith('client.events.create')).toContain('sign_up');
    expect(blockWith('alice@example.com/activity').match(/customer\.custom_event/g)?.length).toBeGreaterThanOrEqual(2);
    expect(blockWith('"type": "auto-update"')).toContain('"type":"auto-update"');
    const bob = blockWith('bob@example.com/segments');
    expect(bob).toContain('"name":"Signed up"');
    expect(bob).toContain('customer.segment.entered');
    expect(blockWith('"target_url"')).toMatch(/^wh_\w+/m);
    expect(blockWith('webhook-sendouts?webhook_id')).toContain('"status":"sent"');
    // Codes: a campaign, a code published to Alice, validated and redeemed once.
    expect(blockWith('"name": "Welcome 10", "campaign_type"')).toContain('"campaign_type":"DISCOUNT_COUPONS"');
    expect(blockWith('/v1/publications')).toMatch(/^WELCOME-[A-Z2-9]{6}$/m);
    const redeemed = blockWith('/v1/redemptions');
    expect(redeemed).toContain('"valid":true');
    expect(redeemed).toContain('"result":"SUCCESS"');
    expect(redeemed).toContain('"total_amount":4500');

    const received = await readFile(listenLog, 'utf8');
    const deliveries = received.split('\n').filter((l) => /customer\.created\s+whs_/.test(l));
    expect(deliveries, received).toHaveLength(2);
    for (const line of deliveries) expect(line).toMatch(/signature OK\s+-> 200 \(not forwarded\)/);
    const ids = deliveries.map((l) => l.match(/(whs_\S+)/)![1]);
    expect(ids[0]).toBe(ids[1]);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
