import type { Worker } from '../compose.js';

/** The lines that tell which jobs of the catalog a process runs. */
export function describeJobs(jobs: Worker['jobs']): string {
  if (jobs.length === 0) return '';
  const lines = jobs.map((j) => `  ${j.name}: ${j.description} (batch ${j.settings.batchSize}, idle ${j.settings.idleMs} ms)`);
  return `Background jobs:\n${lines.join('\n')}\n`;
}
