import { ConfigError, loadConfig, loadServiceConfig } from '../src/index';

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
    expect(() => loadConfig({ MONGO_URL: 'localhost:27017' })).toThrow(/MONGO_URL: expected a MongoDB/);
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
      expect((error as ConfigError).problems.join('\n')).toMatch(/MONGO_URL[\s\S]*TEMPORAL_ADDRESS/);
    }
  });

  it('reads rate limits per minute, with 0 meaning off', () => {
    expect(loadConfig({}).CAIRN_RATE_LIMIT_INGEST_PER_MINUTE).toBe(6000);
    expect(loadConfig({ CAIRN_RATE_LIMIT_API_PER_MINUTE: '0' }).CAIRN_RATE_LIMIT_API_PER_MINUTE).toBe(0);
    expect(() => loadConfig({ CAIRN_RATE_LIMIT_INGEST_PER_MINUTE: '-5' })).toThrow(/CAIRN_RATE_LIMIT_INGEST_PER_MINUTE: expected 0 \(off\) or more/);
  });
});
