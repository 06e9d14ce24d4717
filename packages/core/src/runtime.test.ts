// The runtime entry must stay free of zod: journey workflows load it once per cached run.
jest.mock('zod', () => {
  throw new Error('zod was loaded through @cairn/core/runtime');
});

describe('@cairn/core/runtime', () => {
  it('loads the interpreter and the segment evaluator without loading zod', () => {
    let runtime!: typeof import('./runtime');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.isolateModules(() => (runtime = require('./runtime')));
    expect(typeof runtime.advance).toBe('function');
    expect(typeof runtime.evaluateSegment).toBe('function');
    expect(runtime.pendingAfter(undefined, [{ type: 'complete', reason: 'exit' }])).toEqual({
      type: 'complete',
      reason: 'exit',
    });
  });

  it('notices when a module it reaches loads zod', () => {
    // The same check against the package root, which does load zod: proves the mock above bites.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(() => jest.isolateModules(() => require('./index'))).toThrow('zod was loaded');
  });
});
