import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaults, describeStore, loadConfig } from '../src/config/index.js';

const pinned = { TESSERA_MANAGEMENT_ID: 'mgmt_ops', TESSERA_MANAGEMENT_TOKEN: 'a-token-of-16-chars!' };

describe('loadConfig', () => {
  it('falls back to the defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: resolve('./.tessera'),
      managementId: undefined,
      managementToken: undefined,
      logLevel: 'info',
      bodyLimit: 1024 * 1024,
      poolSize: 16,
      writeConcurrency: 2,
    });
    expect(c.port).toBe(defaults.port);
  });

  it('takes the environment over the defaults', () => {
    const c = loadConfig({
      PORT: '9090',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db.internal:5433/tessera',
      TESSERA_DATA_DIR: '/var/lib/tessera',
      TESSERA_LOG_LEVEL: 'warn',
      TESSERA_BODY_LIMIT: '4096',
      TESSERA_WRITE_CONCURRENCY: '6',
      ...pinned,
    });
    expect(c).toMatchObject({
      port: 9090,
      host: '0.0.0.0',
      databaseUrl: 'postgres://u:p@db.internal:5433/tessera',
      dataDir: '/var/lib/tessera',
      logLevel: 'warn',
      bodyLimit: 4096,
      writeConcurrency: 6,
      managementId: 'mgmt_ops',
      managementToken: 'a-token-of-16-chars!',
    });
  });

  it('takes flags over the environment', () => {
    const env = { PORT: '9090', HOST: '0.0.0.0', DATABASE_URL: 'postgres://env/db', TESSERA_DATA_DIR: '/env/dir', TESSERA_LOG_LEVEL: 'warn' };
    const c = loadConfig(env, {
      port: '7070',
      host: '10.0.0.1',
      databaseUrl: 'postgresql://flag/db',
      dataDir: '/flag/dir',
      logLevel: 'debug',
    });
    expect(c).toMatchObject({ port: 7070, host: '10.0.0.1', databaseUrl: 'postgresql://flag/db', dataDir: '/flag/dir', logLevel: 'debug' });
  });

  it('takes each flag alone over its own variable only', () => {
    const env = { PORT: '9090', HOST: '0.0.0.0', TESSERA_DATA_DIR: '/env/dir' };
    const c = loadConfig(env, { port: 7070 });
    expect(c).toMatchObject({ port: 7070, host: '0.0.0.0', dataDir: '/env/dir' });
    expect(loadConfig(env, { dataDir: '/flag/dir' })).toMatchObject({ port: 9090, dataDir: '/flag/dir' });
  });

  it('treats empty variables as unset', () => {
    const c = loadConfig({ PORT: '', HOST: '', DATABASE_URL: '', TESSERA_DATA_DIR: '  ', TESSERA_MANAGEMENT_ID: '', TESSERA_MANAGEMENT_TOKEN: '' });
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: undefined, dataDir: resolve('./.tessera'), managementId: undefined });
  });

  it('accepts port 0 (any free port) and resolves a relative data dir', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({}, { dataDir: 'rel/dir' }).dataDir).toBe(resolve('rel/dir'));
  });

  it('takes TESSERA_PUBLIC_URL as an http(s) origin (a trailing slash dropped) and refuses anything else', () => {
    expect(loadConfig({}).publicUrl).toBeUndefined();
    expect(loadConfig({ TESSERA_PUBLIC_URL: 'https://tessera.example.com/' }).publicUrl).toBe('https://tessera.example.com');
    expect(loadConfig({ TESSERA_PUBLIC_URL: 'http://10.0.0.5:8080/tessera' }).publicUrl).toBe('http://10.0.0.5:8080/tessera');
    for (const bad of ['tessera.example.com', 'ftp://x.example.com', 'https://x.example.com/?a=1', 'https://x .example.com', 'javascript:alert(1)']) {
      expect(() => loadConfig({ TESSERA_PUBLIC_URL: bad }), bad).toThrow(ConfigError);
    }
  });

  it('is frozen', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it.each([
    ['abc', {}],
    ['70000', {}],
    ['-1', {}],
    ['80.5', {}],
    ['8080', { port: 'http' }],
  ])('refuses port %s (flag %j)', (envPort, flags) => {
    expect(() => loadConfig({ PORT: envPort }, flags)).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: envPort }, flags)).toThrow(/port/);
  });

  it('needs the management id and token together', () => {
    expect(() => loadConfig({ TESSERA_MANAGEMENT_ID: 'mgmt_ops' })).toThrow(ConfigError);
    expect(() => loadConfig({ TESSERA_MANAGEMENT_TOKEN: pinned.TESSERA_MANAGEMENT_TOKEN })).toThrow(ConfigError);
    expect(() => loadConfig({ TESSERA_MANAGEMENT_ID: 'mgmt_ops' })).toThrow(/TESSERA_MANAGEMENT_TOKEN/);
  });

  it('refuses a management token shorter than 16 characters', () => {
    expect(() => loadConfig({ TESSERA_MANAGEMENT_ID: 'mgmt_ops', TESSERA_MANAGEMENT_TOKEN: 'short' })).toThrow(/at least 16/);
    expect(() => loadConfig({ TESSERA_MANAGEMENT_ID: 'mgmt_ops', TESSERA_MANAGEMENT_TOKEN: 'x'.repeat(15) })).toThrow(ConfigError);
    expect(loadConfig({ TESSERA_MANAGEMENT_ID: 'mgmt_ops', TESSERA_MANAGEMENT_TOKEN: 'x'.repeat(16) }).managementToken).toBe('x'.repeat(16));
  });

  it('refuses a database URL that is not PostgreSQL, from the environment or a flag', () => {
    for (const url of ['mysql://u@h/db', 'http://h/db', 'h:5432/db', 'sqlite:///tmp/x']) {
      expect(() => loadConfig({ DATABASE_URL: url })).toThrow(/DATABASE_URL/);
    }
    expect(() => loadConfig({ DATABASE_URL: 'postgres://ok/db' }, { databaseUrl: 'mysql://u@h/db' })).toThrow(ConfigError);
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@h/db' }).databaseUrl).toBe('postgresql://u@h/db');
  });

  it('refuses an unknown log level, and a body limit or write concurrency out of range', () => {
    expect(() => loadConfig({ TESSERA_LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => loadConfig({}, { logLevel: 'verbose' })).toThrow(ConfigError);
    expect(() => loadConfig({ TESSERA_BODY_LIMIT: '10' })).toThrow(/TESSERA_BODY_LIMIT/);
    expect(() => loadConfig({ TESSERA_BODY_LIMIT: 'lots' })).toThrow(ConfigError);
    expect(() => loadConfig({ TESSERA_WRITE_CONCURRENCY: '0' })).toThrow(/TESSERA_WRITE_CONCURRENCY/);
    expect(() => loadConfig({ TESSERA_WRITE_CONCURRENCY: '2.5' })).toThrow(ConfigError);
  });

  it('describes the store without secrets', () => {
    expect(describeStore(loadConfig({}, { dataDir: '/data' }))).toBe('PGlite in /data');
    const pgStore = describeStore(loadConfig({ DATABASE_URL: 'postgres://user:s3cret@db.internal:5433/tessera' }));
    expect(pgStore).toBe('PostgreSQL at db.internal:5433/tessera');
    expect(pgStore).not.toContain('s3cret');
  });
});
