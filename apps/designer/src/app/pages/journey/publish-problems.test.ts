import { ApiError } from '../../../api/client.js';
import { publishRefusal } from './publish-problems.js';

const nodeIds = ['trigger', 'wait', 'email-1'];
const at = (index: number) => nodeIds[index];

describe('what a refused publish says', () => {
  it('counts the problems to fix and keeps each one with its step and path', () => {
    const refusal = publishRefusal(
      new ApiError({
        title: 'Unprocessable Content',
        status: 422,
        detail:
          'The journey cannot be published: 2 problem(s). nodes[2].config.template.id: node "email-1" (action): ...',
        errors: [
          {
            path: 'nodes[2].config.template.id',
            message: 'node "email-1" (action): config.template.id refers to template "gone"',
            nodeId: 'email-1',
          } as { path: string; message: string },
          // Without the step's id, the index in the draft finds it.
          { path: 'nodes[1].duration', message: 'node "wait" (delay): duration is required' },
        ],
      }),
      at,
    );
    expect(refusal.headline).toBe('2 things to fix first');
    expect(refusal.problems).toEqual([
      {
        path: 'nodes[2].config.template.id',
        message: 'node "email-1" (action): config.template.id refers to template "gone"',
        nodeId: 'email-1',
      },
      {
        path: 'nodes[1].duration',
        message: 'node "wait" (delay): duration is required',
        nodeId: 'wait',
      },
    ]);
  });

  it('says the one problem, and a refusal about no field as the API worded it', () => {
    const one = publishRefusal(
      new ApiError({
        title: 'Unprocessable Content',
        status: 422,
        errors: [{ path: 'settings.holdoutPercent', message: 'settings.holdoutPercent: too big' }],
      }),
      at,
    );
    expect(one).toEqual({
      headline: 'one thing to fix first',
      problems: [{ path: 'settings.holdoutPercent', message: 'settings.holdoutPercent: too big' }],
    });
    const archived = publishRefusal(
      new ApiError({
        title: 'Conflict',
        status: 409,
        detail: 'This journey is archived; it cannot be published again.',
      }),
      at,
    );
    expect(archived).toEqual({
      headline: 'This journey is archived; it cannot be published again.',
      problems: [],
    });
    expect(publishRefusal(new Error('Failed to fetch'), at)).toEqual({
      headline: 'Failed to fetch',
      problems: [],
    });
  });
});
