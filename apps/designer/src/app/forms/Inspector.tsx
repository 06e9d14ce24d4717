import type { JourneyNode, JourneyProblem } from '@cairn/core';
import { KIND_TITLES } from '../../graph/summary.js';
import type { DesignerCatalogEntry } from '../catalog.js';
import type { ConditionPickers } from './conditions/model.js';
import { DurationPicker, Field } from './inputs.js';
import { ProblemList } from './ProblemList.js';
import { ActionConfigForm } from './steps/ActionConfigForm.js';
import { BranchConditionForm } from './steps/BranchConditionForm.js';
import { MultiSplitForm, RandomSplitForm } from './steps/SplitForms.js';
import { TriggerForm } from './steps/TriggerForm.js';
import { WaitForForm } from './steps/WaitForForm.js';
import { WaitUntilForm } from './steps/WaitUntilForm.js';

type Props = {
  node: JourneyNode;
  onChange: (node: JourneyNode, field: string) => void;
  pickers: ConditionPickers;
  issues: JourneyProblem[];
  actionEntry?: DesignerCatalogEntry;
};

/** Right-hand panel: a purpose-built form per node kind; actions get a form drawn from their manifest. */
export function Inspector({ node, onChange, pickers, issues, actionEntry }: Props) {
  const set = (patch: Partial<JourneyNode>, field: string) =>
    onChange({ ...node, ...patch } as JourneyNode, field);
  return (
    <aside className="inspector" data-testid="inspector">
      <header>
        <div className="eyebrow">
          {node.kind === 'action'
            ? (actionEntry?.manifest.title ?? node.action.type)
            : KIND_TITLES[node.kind]}
        </div>
        <input
          className="title-input"
          placeholder="Name this step"
          value={node.label ?? ''}
          data-testid="inspector-label"
          onChange={(e) => set({ label: e.target.value || undefined }, 'label')}
        />
        <div className="muted small">id: {node.id}</div>
      </header>
      {issues.length > 0 && (
        <ProblemList
          problems={issues}
          definition={{ nodes: [node] }}
          catalog={() => actionEntry}
          testId="inspector-issues"
        />
      )}
      <div className="inspector-body">
        <KindForm node={node} set={set} pickers={pickers} actionEntry={actionEntry} />
      </div>
    </aside>
  );
}

function KindForm({
  node,
  set,
  pickers,
  actionEntry,
}: {
  node: JourneyNode;
  set: (patch: Partial<JourneyNode>, field: string) => void;
  pickers: ConditionPickers;
  actionEntry?: DesignerCatalogEntry;
}) {
  switch (node.kind) {
    case 'trigger':
      return (
        <TriggerForm
          trigger={node.trigger}
          onChange={(trigger) => set({ trigger }, 'trigger')}
          pickers={pickers}
        />
      );
    case 'delay':
      return (
        <Field label="Wait for">
          <DurationPicker
            testId="delay-duration"
            value={node.duration}
            onChange={(duration) => set({ duration }, 'duration')}
          />
        </Field>
      );
    case 'waitUntil':
      return <WaitUntilForm until={node.until} onChange={(until) => set({ until }, 'until')} />;
    case 'waitFor':
      return <WaitForForm node={node} set={set} pickers={pickers} />;
    case 'branch':
      return (
        <BranchConditionForm
          condition={node.condition}
          pickers={pickers}
          onChange={(condition) => set({ condition }, 'condition')}
        />
      );
    case 'goal':
      return (
        <>
          <p className="muted small">
            Contacts who meet the goal count as converted. Leave the output unwired to end their
            journey there.
          </p>
          <BranchConditionForm
            condition={node.condition}
            pickers={pickers}
            onChange={(condition) => set({ condition }, 'condition')}
          />
        </>
      );
    case 'multiSplit':
      return <MultiSplitForm node={node} set={set} pickers={pickers} />;
    case 'randomSplit':
      return <RandomSplitForm node={node} set={set} />;
    case 'action':
      return <ActionConfigForm node={node} set={set} actionEntry={actionEntry} />;
    case 'exit':
      return <p className="muted">Contacts leave the journey here.</p>;
  }
}
