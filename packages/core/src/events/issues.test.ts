import { findTooDeep, tooDeepIssue } from './issues';
import { MAX_EVENT_DEPTH, normalizeEvent } from './normalize';
import { validateSegmentDefinition } from '../segments/validate';

const nest = (depth: number, leaf: unknown = 1, key = 'a'): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { [key]: value };
  return value;
};

describe('depth limits', () => {
  it('finds the first value nested too deeply, without recursion', () => {
    expect(findTooDeep({ a: { b: 1 } }, 2)).toBeUndefined();
    expect(findTooDeep({ a: { b: { c: 1 } } }, 2)).toEqual(['a', 'b']);
    // 200 000 levels would overflow a recursive walk.
    expect(findTooDeep(nest(200_000), 10)).toHaveLength(10);
    expect(tooDeepIssue({ x: [[[1]]] }, 2, 'properties')).toEqual({
      path: 'properties.x[0]',
      message: 'nests deeper than 2 levels of objects and arrays; flatten it',
    });
  });

  it('refuses an event nested deeper than the limit and names where', () => {
    const now = Date.now();
    const ok = normalizeEvent(
      { type: 'track', userId: 'u', event: 'E', properties: { deep: nest(MAX_EVENT_DEPTH - 3) } },
      { receivedAt: now, now },
    );
    expect(ok.ok).toBe(true);
    const deep = normalizeEvent(
      { type: 'track', userId: 'u', event: 'E', properties: { deep: nest(5000) } },
      { receivedAt: now, now },
    );
    expect(deep).toEqual({
      ok: false,
      errors: [
        {
          path: expect.stringMatching(/^properties\.deep\[0\]\.a/),
          message: expect.stringMatching(/nests deeper than 32 levels/),
        },
      ],
    });
  });

  it('refuses segment groups nested absurdly deep, naming the path', () => {
    let group: unknown = {
      type: 'all',
      conditions: [{ type: 'trait', field: 'email', operator: 'exists' }],
    };
    for (let i = 0; i < 200; i++) group = { type: 'any', conditions: [group] };
    const result = validateSegmentDefinition(group);
    expect(result.ok).toBe(false);
    expect(result.issues[0]?.path).toMatch(/^conditions\[0\]\.conditions\[0\]/);
    expect(result.issues[0]?.message).toMatch(
      /groups inside groups rarely need more than three levels/,
    );
    let shallow: unknown = {
      type: 'all',
      conditions: [{ type: 'trait', field: 'email', operator: 'exists' }],
    };
    for (let i = 0; i < 5; i++) shallow = { type: 'any', conditions: [shallow] };
    expect(validateSegmentDefinition(shallow).ok).toBe(true);
  });
});
