import type { Request } from 'express';
import { rateLimitSubject } from './rate-limit';

const req = (headers: Record<string, string>, ip = '203.0.113.7') =>
  ({ headers, ip }) as unknown as Request;
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

describe('rateLimitSubject', () => {
  const key = 'cwk_abcdefghijkl_secretsecretsecretsecret';

  it('counts a request against its key, hashed, whether sent as Basic or Bearer', () => {
    const viaBasic = rateLimitSubject(req({ authorization: basic(key) }), true);
    const viaBearer = rateLimitSubject(req({ authorization: `Bearer ${key}` }), true);
    expect(viaBasic).toEqual(viaBearer);
    expect(viaBasic.kind).toBe('key');
    expect(viaBasic.id).not.toContain('secret');
    expect(
      rateLimitSubject(
        req({ authorization: 'Bearer cwk_abcdefghijkl_othersecretothersecret' }),
        true,
      ).id,
    ).not.toBe(viaBasic.id);
  });

  it('falls back to the client address without a key, or where keys do not count', () => {
    expect(rateLimitSubject(req({}), true)).toEqual({ kind: 'ip', id: 'ip:203.0.113.7' });
    expect(rateLimitSubject(req({ authorization: `Bearer ${key}` }), false).kind).toBe('ip');
  });

  it('groups IPv6 clients by /56 so one host cannot rotate through its addresses', () => {
    const a = rateLimitSubject(req({}, '2001:db8:1:100::1'), true);
    const b = rateLimitSubject(req({}, '2001:db8:1:1ff::2'), true);
    expect(a).toEqual(b);
  });
});
