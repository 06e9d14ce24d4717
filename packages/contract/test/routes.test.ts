import type { z } from 'zod';
import { ROUTES, type RouteContract } from '../src/index';

const contracts = Object.entries(ROUTES as Record<string, RouteContract>);

describe('ROUTES', () => {
  it('gives each component id to one schema, so the OpenAPI document cannot show the wrong one', () => {
    const byId = new Map<string, Set<z.ZodType>>();
    const note = (id: string, schema: z.ZodType) =>
      byId.set(id, (byId.get(id) ?? new Set()).add(schema));
    for (const [, c] of contracts) {
      if (c.body) note(c.body.id, c.body.doc ?? c.body.schema);
      if ('json' in c.answer) note(c.answer.id, c.answer.json);
      if ('lines' in c.answer && c.answer.lines) note(c.answer.lines.id, c.answer.lines.schema);
    }
    const shared = [...byId].filter(([, schemas]) => schemas.size > 1).map(([id]) => id);
    expect(shared).toEqual([]);
  });

  it('says what every route answers, with a success status that matches it', () => {
    for (const [key, c] of contracts) {
      const status = c.status ?? 200;
      expect({ key, empty: 'empty' in c.answer }).toEqual({ key, empty: status === 204 });
    }
  });

  it('reads a handler answer as the client gets it: ISO instants, and no field it does not describe', () => {
    const keys = ROUTES['GET /api/v1/keys'].answer.json;
    const key = {
      id: 'k1',
      name: 'CI',
      scope: 'write',
      createdAt: '2026-12-01T10:00:00.000Z',
      revokedAt: null,
      lastUsedAt: null,
    };
    expect(keys.safeParse({ keys: [key] }).success).toBe(true);
    expect(keys.safeParse({ keys: [{ ...key, createdAt: 'yesterday' }] }).success).toBe(false);
    expect(keys.safeParse({ keys: [{ ...key, secretHash: 'x' }] }).success).toBe(false);
  });
});
