import {
  ConfigError,
  embeddedEngine,
  loadConfig,
  loadServiceConfig,
  workflowCacheSize,
} from '../src/index';

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.CAIRN_API_PORT).toBe(3000);
    expect(config.TEMPORAL_NAMESPACE).toBe('default');
    expect(config.CAIRN_ACTION_PACKAGES).toEqual([]);
  });

  it('names the variable and what it expects', () => {
    expect(() => loadConfig({ CAIRN_API_PORT: 'abc' })).toThrow(
      /CAIRN_API_PORT: expected a port number \(1-65535\) \(got 'abc'\)/,
    );
    expect(() => loadConfig({ MONGO_URL: 'localhost:27017' })).toThrow(
      /MONGO_URL: expected a MongoDB/,
    );
    expect(() => loadConfig({ SMTP_SECURE: 'maybe' })).toThrow(/SMTP_SECURE/);
  });

  it('splits lists and treats empty strings as unset', () => {
    const config = loadConfig({ CAIRN_ACTION_PACKAGES: 'a, b,,c', CAIRN_API_PORT: '' });
    expect(config.CAIRN_ACTION_PACKAGES).toEqual(['a', 'b', 'c']);
    expect(config.CAIRN_API_PORT).toBe(3000);
  });

  it('requires service addresses for the api and the worker', () => {
    try {
      loadServiceConfig({});
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toMatch(
        /MONGO_URL[\s\S]*TEMPORAL_ADDRESS/,
      );
    }
  });

  it('reads rate limits per minute, with 0 meaning off', () => {
    expect(loadConfig({}).CAIRN_RATE_LIMIT_INGEST_PER_MINUTE).toBe(6000);
    expect(
      loadConfig({ CAIRN_RATE_LIMIT_API_PER_MINUTE: '0' }).CAIRN_RATE_LIMIT_API_PER_MINUTE,
    ).toBe(0);
    expect(() => loadConfig({ CAIRN_RATE_LIMIT_INGEST_PER_MINUTE: '-5' })).toThrow(
      /CAIRN_RATE_LIMIT_INGEST_PER_MINUTE: expected 0 \(off\) or more/,
    );
  });
});

describe('CAIRN_MAX_CACHED_WORKFLOWS', () => {
  const GiB = 1024 * 1024 * 1024;

  it('is unset by default, and the cache is then sized from the heap limit', () => {
    const config = loadConfig({});
    expect(config.CAIRN_MAX_CACHED_WORKFLOWS).toBeUndefined();
    // (4096 MiB − 512 MiB reserved) / 2 MiB per run
    expect(workflowCacheSize(config, 4 * GiB)).toBe(1792);
    expect(workflowCacheSize(config, 2 * GiB)).toBe(768);
    // A heap smaller than the reserve still caches a few runs, like the SDK's own floor.
    expect(workflowCacheSize(config, 256 * 1024 * 1024)).toBe(10);
  });

  it('takes a set value as is, including 0 (cache off)', () => {
    expect(workflowCacheSize(loadConfig({ CAIRN_MAX_CACHED_WORKFLOWS: '500' }), 4 * GiB)).toBe(500);
    expect(workflowCacheSize(loadConfig({ CAIRN_MAX_CACHED_WORKFLOWS: '0' }), 4 * GiB)).toBe(0);
    expect(
      loadConfig({ CAIRN_MAX_CACHED_WORKFLOWS: '' }).CAIRN_MAX_CACHED_WORKFLOWS,
    ).toBeUndefined();
  });

  it.each([
    [
      'lots',
      /CAIRN_MAX_CACHED_WORKFLOWS: expected a whole number of cached workflow runs \(0 turns the cache off\) \(got 'lots'\)/,
    ],
    [
      '2.5',
      /CAIRN_MAX_CACHED_WORKFLOWS: expected a whole number of cached workflow runs .*\(got '2\.5'\)/,
    ],
    [
      '-1',
      /CAIRN_MAX_CACHED_WORKFLOWS: expected 0 \(cache off\) or at least 2 cached workflow runs \(got '-1'\)/,
    ],
    [
      '1',
      /CAIRN_MAX_CACHED_WORKFLOWS: expected 0 \(cache off\) or at least 2 cached workflow runs \(Temporal needs two\) \(got '1'\)/,
    ],
  ])('rejects %s with a ConfigError naming the setting', (value, message) => {
    let error: unknown;
    try {
      loadConfig({ CAIRN_MAX_CACHED_WORKFLOWS: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(message);
  });

  it('runs FerretDB on SQLite unless CAIRN_ENGINE names another engine', () => {
    expect(loadConfig({}).CAIRN_ENGINE).toBe('ferretdb-sqlite');
    expect(embeddedEngine({})).toBe('ferretdb-sqlite');
    expect(embeddedEngine({ CAIRN_ENGINE: '' })).toBe('ferretdb-sqlite');
    expect(embeddedEngine({ CAIRN_ENGINE: 'ferretdb-postgres' })).toBe('ferretdb-postgres');
    expect(() => embeddedEngine({ CAIRN_ENGINE: 'postgres' })).toThrow(
      "CAIRN_ENGINE: expected one of ferretdb-sqlite, ferretdb-postgres (got 'postgres')",
    );
    expect(() => loadConfig({ CAIRN_ENGINE: 'mongodb' })).toThrow(
      "CAIRN_ENGINE: expected one of ferretdb-sqlite, ferretdb-postgres (got 'mongodb')",
    );
  });
});
