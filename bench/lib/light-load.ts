import { performance } from 'node:perf_hooks';
import { request } from 'undici';

/**
 * A light API load: paced GETs of one URL, each timed, until stop() is called; stop() resolves with the latencies
 * (ms) and the failures (non-200 answers and errors).
 */
export function startLightLoad(url: string, headers: Record<string, string>, rate: number): { stop(): Promise<{ latencies: number[]; failures: number }> } {
  const latencies: number[] = [];
  let failures = 0;
  let loading = true;
  const run = (async () => {
    const gap = 1000 / rate;
    let next = performance.now();
    while (loading) {
      const t0 = performance.now();
      try {
        const res = await request(url, { headers });
        await res.body.text();
        if (res.statusCode !== 200) failures++;
      } catch {
        failures++;
      }
      latencies.push(performance.now() - t0);
      next += gap;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
  })();
  return {
    async stop() {
      loading = false;
      await run;
      return { latencies, failures };
    },
  };
}
