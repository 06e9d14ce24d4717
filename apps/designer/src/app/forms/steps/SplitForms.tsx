import type { JourneyNode } from '@cairn/core';
import type { ConditionPickers } from '../conditions/model.js';
import { BranchConditionForm } from './BranchConditionForm.js';

type MultiSplitNode = Extract<JourneyNode, { kind: 'multiSplit' }>;
type RandomSplitNode = Extract<JourneyNode, { kind: 'randomSplit' }>;

function freshLocalId(prefix: string, taken: string[]): string {
  let n = taken.length + 1;
  while (taken.includes(`${prefix}-${n}`)) n += 1;
  return `${prefix}-${n}`;
}

/** Paths checked top to bottom, each with its own condition. */
export function MultiSplitForm({
  node,
  set,
  pickers,
}: {
  node: MultiSplitNode;
  set: (patch: Partial<MultiSplitNode>, field: string) => void;
  pickers: ConditionPickers;
}) {
  return (
    <>
      {node.branches.map((b, i) => (
        <fieldset key={b.id} className="sub-card">
          <div className="row">
            <input
              value={b.label}
              onChange={(e) =>
                set(
                  {
                    branches: node.branches.map((x, j) =>
                      j === i ? { ...x, label: e.target.value } : x,
                    ),
                  },
                  `branches.${b.id}.label`,
                )
              }
            />
            <button
              className="icon"
              title="Remove path"
              onClick={() => set({ branches: node.branches.filter((_, j) => j !== i) }, 'branches')}
            >
              ×
            </button>
          </div>
          <BranchConditionForm
            condition={b.condition}
            pickers={pickers}
            onChange={(condition) =>
              set(
                { branches: node.branches.map((x, j) => (j === i ? { ...x, condition } : x)) },
                `branches.${b.id}`,
              )
            }
          />
        </fieldset>
      ))}
      <button
        className="link"
        onClick={() => {
          const id = freshLocalId(
            'path',
            node.branches.map((b) => b.id),
          );
          set(
            {
              branches: [
                ...node.branches,
                {
                  id,
                  label: `Path ${node.branches.length + 1}`,
                  condition: { on: 'profile', condition: { type: 'all', conditions: [] } },
                },
              ],
            },
            'branches',
          );
        }}
      >
        + Add path
      </button>
      <p className="muted small">
        Paths are checked top to bottom; the first match wins, otherwise Else.
      </p>
    </>
  );
}

/** Weighted variants (A/B tests), each shown with its share. */
export function RandomSplitForm({
  node,
  set,
}: {
  node: RandomSplitNode;
  set: (patch: Partial<RandomSplitNode>, field: string) => void;
}) {
  const total = node.variants.reduce((s, v) => s + v.weight, 0);
  return (
    <>
      {node.variants.map((v, i) => (
        <div className="row" key={v.id}>
          <input
            value={v.label}
            onChange={(e) =>
              set(
                {
                  variants: node.variants.map((x, j) =>
                    j === i ? { ...x, label: e.target.value } : x,
                  ),
                },
                `variants.${v.id}.label`,
              )
            }
          />
          <input
            type="number"
            min={0}
            className="narrow"
            value={v.weight}
            onChange={(e) =>
              set(
                {
                  variants: node.variants.map((x, j) =>
                    j === i ? { ...x, weight: Number(e.target.value) } : x,
                  ),
                },
                `variants.${v.id}.weight`,
              )
            }
          />
          <span className="muted">{total > 0 ? Math.round((v.weight / total) * 100) : 0}%</span>
          <button
            className="icon"
            title="Remove variant"
            onClick={() => set({ variants: node.variants.filter((_, j) => j !== i) }, 'variants')}
          >
            ×
          </button>
        </div>
      ))}
      <button
        className="link"
        onClick={() => {
          const id = freshLocalId(
            'variant',
            node.variants.map((v) => v.id),
          );
          set(
            {
              variants: [
                ...node.variants,
                { id, label: String.fromCharCode(65 + node.variants.length), weight: 0 },
              ],
            },
            'variants',
          );
        }}
      >
        + Add variant
      </button>
    </>
  );
}
