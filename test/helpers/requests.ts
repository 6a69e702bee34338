/**
 * Requests of a test to the app as a project's server side: `api` answers the raw response, `ok` the JSON body of
 * a 200 (failing the test with the body otherwise).
 */
import { expect } from 'vitest';
import type { TestProject, TestTessera } from './app.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export function requestsOf(app: () => { t: TestTessera; p: TestProject }) {
  const api = (method: Method, url: string, payload?: unknown) => {
    const { t, p } = app();
    return t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
  };
  async function ok(method: Method, url: string, payload?: unknown): Promise<any> {
    const res = await api(method, url, payload);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
    return res.json();
  }
  return { api, ok };
}
