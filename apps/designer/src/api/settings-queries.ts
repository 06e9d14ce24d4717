import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AffinityDefinition, SendRateLimits } from '@cairn/core';
import { useApi } from '../app/session.js';
import type { ApiKey, Me, Role, WorkspacePatch } from './client.js';
import { queryKeys } from './queries.js';

/**
 * Server state of the settings page, cached like the rest (keys in queries.ts). A change either puts the
 * API's answer in the cache (it is what a re-read would return) or marks the list it changed stale.
 */

/** Saves the workspace's name, time zone and sender; the navigation shows the new name at once. */
export function useUpdateWorkspace() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: WorkspacePatch) => api.updateWorkspace(patch),
    onSuccess: (answer) =>
      client.setQueryData<Me>(queryKeys.me, (me) => me && { ...me, workspace: answer.workspace }),
  });
}

/** Credentials are listed to admins only; for anyone else the sender picker offers none. */
export function useCredentials(enabled = true) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.credentials,
    queryFn: () => api.listCredentials(),
    enabled,
  });
}

/** Saving or deleting a credential changes the senders list and the workspace's "send through" picker. */
export function useCredentialMutations() {
  const api = useApi();
  const client = useQueryClient();
  const changed = () => client.invalidateQueries({ queryKey: queryKeys.credentials });
  return {
    save: useMutation({
      mutationFn: (c: { name: string; type: string; values: Record<string, string> }) =>
        api.saveCredential(c.name, c.type, c.values),
      onSuccess: changed,
    }),
    remove: useMutation({
      mutationFn: (name: string) => api.deleteCredential(name),
      onSuccess: changed,
    }),
  };
}

export function useApiKeys() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.apiKeys, queryFn: () => api.listKeys() });
}

export function useApiKeyMutations() {
  const api = useApi();
  const client = useQueryClient();
  const changed = () => client.invalidateQueries({ queryKey: queryKeys.apiKeys });
  return {
    create: useMutation({
      mutationFn: ({ name, scope }: { name: string; scope: ApiKey['scope'] }) =>
        api.createKey(name, scope),
      onSuccess: changed,
    }),
    revoke: useMutation({ mutationFn: (id: string) => api.revokeKey(id), onSuccess: changed }),
  };
}

export function useUsers() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.users, queryFn: () => api.listUsers() });
}

export function useUserMutations() {
  const api = useApi();
  const client = useQueryClient();
  const changed = () => client.invalidateQueries({ queryKey: queryKeys.users });
  return {
    invite: useMutation({
      mutationFn: (user: { email: string; role: Role }) => api.inviteUser(user),
      onSuccess: changed,
    }),
    update: useMutation({
      mutationFn: ({
        email,
        patch,
      }: {
        email: string;
        patch: { role?: Role; disabled?: boolean };
      }) => api.updateUser(email, patch),
      onSuccess: changed,
    }),
    remove: useMutation({
      mutationFn: (email: string) => api.removeUser(email),
      onSuccess: changed,
    }),
  };
}

export function useAffinities() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.affinities, queryFn: () => api.affinities() });
}

export function useSaveAffinities() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (affinities: AffinityDefinition[]) => api.saveAffinities(affinities),
    onSuccess: (answer) => client.setQueryData(queryKeys.affinities, answer),
  });
}

export function useSendLimits() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.sendLimits, queryFn: () => api.sendLimits() });
}

export function useSaveSendLimits() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (limits: SendRateLimits) => api.saveSendLimits(limits),
    onSuccess: (answer) => client.setQueryData(queryKeys.sendLimits, answer),
  });
}
