import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureChromium,
  installedBrowserDir,
  missingLibraries,
  MissingBrowserError,
} from '../src/browser';

function fakeExecutable(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, 0o755);
  return path;
}

describe('finding a Chromium for the browser tests', () => {
  const home = mkdtempSync(join(tmpdir(), 'cairn-home-'));
  const bin = mkdtempSync(join(tmpdir(), 'cairn-bin-'));

  it('prefers CHROMIUM_PATH over a system browser', () => {
    const supplied = fakeExecutable(bin, 'my-chrome');
    fakeExecutable(bin, 'chromium');
    expect(
      ensureChromium({ home, env: { CHROMIUM_PATH: supplied, PATH: bin }, install: false }),
    ).toEqual({ path: supplied, source: 'env' });
  });

  it('names the variable when it points at nothing usable', () => {
    expect(() =>
      ensureChromium({
        home,
        env: { CHROMIUM_PATH: join(bin, 'missing'), PATH: '' },
        install: false,
      }),
    ).toThrow(/CHROMIUM_PATH=.*missing is not an executable file[\s\S]*How to fix/);
  });

  it('uses a system Chromium found on the PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-sys-'));
    const system = fakeExecutable(dir, 'chromium-browser');
    expect(ensureChromium({ home, env: { PATH: dir }, install: false })).toEqual({
      path: system,
      source: 'system',
    });
  });

  it('uses the copy already unpacked under .cairn/ before installing again', () => {
    const ownHome = mkdtempSync(join(tmpdir(), 'cairn-home-'));
    const unpacked = fakeExecutable(installedBrowserDir(ownHome), 'chromium');
    expect(ensureChromium({ home: ownHome, env: { PATH: '' }, install: false })).toEqual({
      path: unpacked,
      source: 'installed',
    });
  });

  it('says how to get one when there is none and it may not install', () => {
    const run = () =>
      ensureChromium({
        home: mkdtempSync(join(tmpdir(), 'cairn-home-')),
        env: { PATH: '' },
        install: false,
      });
    expect(run).toThrow(MissingBrowserError);
    expect(run).toThrow(/CHROMIUM_PATH[\s\S]*apt-get install chromium[\s\S]*@sparticuz\/chromium@/);
  });

  it('finds no missing library in a binary this machine runs', () => {
    expect(missingLibraries(process.execPath)).toEqual([]);
  });
});
