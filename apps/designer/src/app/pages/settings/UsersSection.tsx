import { useState } from 'react';
import type { UserAccount } from '../../../api/client.js';
import { ErrorBox } from '../../ErrorBox.js';
import { ROLES, type Role } from '../../roles.js';
import { useUserMutations, useUsers } from '../../../api/settings-queries.js';
import { useMe } from '../../session.js';

/** Users and roles: invite (a generated first password is shown once), change role, disable, remove. */
export function UsersSection() {
  const me = useMe();
  const loaded = useUsers();
  const users = useUserMutations();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('editor');
  const [invited, setInvited] = useState<{ email: string; password?: string } | null>(null);
  const [error, setError] = useState<unknown>(null);

  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e);
    }
  };

  const invite = () =>
    run(async () => {
      const answer = await users.invite.mutateAsync({ email: email.trim(), role });
      setInvited({
        email: answer.user.email,
        ...(answer.password ? { password: answer.password } : {}),
      });
      setEmail('');
    });

  const remove = (user: UserAccount) => {
    if (window.confirm(`Remove ${user.email}? Their sessions end at once.`))
      void run(() => users.remove.mutateAsync(user.email));
  };

  const myEmail = me?.principal.type === 'user' ? me.principal.email : undefined;
  return (
    <section className="card" id="settings-users" data-testid="users-settings">
      <h2>Users and roles</h2>
      <p className="muted">
        Viewers read; editors draft segments, journeys and templates; publishers put journeys live;
        admins also manage senders, keys and users.
      </p>
      {invited && (
        <div className="success-box" data-testid="user-invited">
          Added <strong>{invited.email}</strong>.
          {invited.password && (
            <>
              {' '}
              Their first password, shown once: <code className="secret">{invited.password}</code>
            </>
          )}
        </div>
      )}
      <div className="inline-form settings-inline">
        <input
          value={email}
          placeholder="ana@acme.test"
          data-testid="invite-email"
          onChange={(e) => setEmail(e.target.value)}
        />
        <RoleSelect value={role} onChange={setRole} testId="invite-role" />
        <button
          className="primary"
          disabled={!email.includes('@')}
          data-testid="invite-user"
          onClick={() => void invite()}
        >
          Invite
        </button>
      </div>
      <ErrorBox error={error ?? loaded.error} testId="users-error" />
      <table className="table settings-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(loaded.data?.users ?? []).map((user) => {
            const self = user.email === myEmail;
            return (
              <tr key={user.email} data-testid={`user-row-${user.email}`}>
                <td>{user.name}</td>
                <td>{user.email}</td>
                <td>
                  <RoleSelect
                    value={user.role}
                    disabled={self}
                    testId={`user-role-${user.email}`}
                    onChange={(next) =>
                      void run(() =>
                        users.update.mutateAsync({ email: user.email, patch: { role: next } }),
                      )
                    }
                  />
                </td>
                <td>
                  <button
                    className="link"
                    disabled={self}
                    onClick={() =>
                      void run(() =>
                        users.update.mutateAsync({
                          email: user.email,
                          patch: { disabled: !user.disabled },
                        }),
                      )
                    }
                  >
                    {user.disabled ? 'Disabled: enable' : 'Active: disable'}
                  </button>
                </td>
                <td>
                  {!self && (
                    <button data-testid={`user-remove-${user.email}`} onClick={() => remove(user)}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function RoleSelect(props: {
  value: Role;
  onChange: (role: Role) => void;
  disabled?: boolean;
  testId: string;
}) {
  return (
    <select
      value={props.value}
      disabled={props.disabled}
      data-testid={props.testId}
      onChange={(e) => props.onChange(e.target.value as Role)}
    >
      {ROLES.map((r) => (
        <option key={r}>{r}</option>
      ))}
    </select>
  );
}
