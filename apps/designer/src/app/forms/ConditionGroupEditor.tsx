import type { ConditionGroup } from '@cairn/core';
import { Select } from './inputs.js';
import { ConditionRow } from './conditions/ConditionRow.js';
import { isGroup, newCondition } from './conditions/model.js';
import type { Item } from './conditions/model.js';
import type { ConditionPickers } from './conditions/model.js';

const GROUP_LABELS = { all: 'All of', any: 'Any of', none: 'None of' } as const;

/** Nested all/any/none groups of segment conditions, used by the segment builder and profile branches. */
export function ConditionGroupEditor({
  group,
  onChange,
  pickers,
  onRemove,
  path = 'root',
}: {
  group: ConditionGroup;
  onChange: (g: ConditionGroup) => void;
  pickers: ConditionPickers;
  onRemove?: () => void;
  path?: string;
}) {
  const setItem = (i: number, item: Item) =>
    onChange({ ...group, conditions: group.conditions.map((c, j) => (j === i ? item : c)) });
  const removeItem = (i: number) =>
    onChange({ ...group, conditions: group.conditions.filter((_, j) => j !== i) });
  return (
    <div className="condition-group" data-testid={`group-${path}`}>
      <div className="group-head">
        <Select
          value={group.type}
          options={(['all', 'any', 'none'] as const).map((t) => ({
            value: t,
            label: GROUP_LABELS[t],
          }))}
          onChange={(type) => onChange({ ...group, type })}
          testId={`group-type-${path}`}
        />
        <span className="muted">these conditions</span>
        {onRemove && (
          <button className="icon" title="Remove group" onClick={onRemove}>
            ×
          </button>
        )}
      </div>
      {group.conditions.length === 0 && <p className="muted small">No conditions yet.</p>}
      {group.conditions.map((item, i) =>
        isGroup(item) ? (
          <ConditionGroupEditor
            key={i}
            group={item}
            pickers={pickers}
            path={`${path}-${i}`}
            onChange={(g) => setItem(i, g)}
            onRemove={() => removeItem(i)}
          />
        ) : (
          <ConditionRow
            key={i}
            condition={item}
            pickers={pickers}
            testId={`condition-${path}-${i}`}
            onChange={(c) => setItem(i, c)}
            onRemove={() => removeItem(i)}
          />
        ),
      )}
      <div className="group-actions">
        <button
          className="link"
          data-testid={`add-condition-${path}`}
          onClick={() =>
            onChange({ ...group, conditions: [...group.conditions, newCondition('trait')] })
          }
        >
          + Condition
        </button>
        <button
          className="link"
          data-testid={`add-group-${path}`}
          onClick={() =>
            onChange({
              ...group,
              conditions: [...group.conditions, { type: 'any', conditions: [] }],
            })
          }
        >
          + Group
        </button>
      </div>
    </div>
  );
}
