import { useEventSchema } from '../../api/queries.js';
import { PERSONALISATION } from '../templates.js';
import { profileVariables, traitVariables, type LiquidVariable } from './liquid-variables.js';

function Variables({ list, testId }: { list: LiquidVariable[]; testId: string }) {
  return (
    <ul className="plain liquid-variables" data-testid={testId}>
      {list.map((v) => (
        <li key={v.liquid}>
          <code>{v.liquid}</code> <span className="muted">{v.says}</span>
        </li>
      ))}
    </ul>
  );
}

/** Which Liquid variables exist for this workspace's contacts, beside the subject and body they go in. */
export function PersonalisationHelp() {
  const traits = traitVariables(useEventSchema().data);
  return (
    <details className="personalisation-help" data-testid="personalisation-help">
      <summary>Personalise: the variables you can use</summary>
      <p className="muted small">
        Write them in the subject or body; each contact gets their own value. Add{' '}
        <code>| default: &quot;there&quot;</code> for contacts who lack one.
      </p>
      <Variables list={PERSONALISATION} testId="personalisation-common" />
      <h4>Traits your contacts have</h4>
      {traits.length > 0 ? (
        <Variables list={traits} testId="personalisation-traits" />
      ) : (
        <p className="muted small">
          None yet: traits appear here once an identify call has sent them.
        </p>
      )}
      <h4>From the profile</h4>
      <Variables list={profileVariables()} testId="personalisation-profile" />
    </details>
  );
}
