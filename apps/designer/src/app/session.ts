import { createContext, useContext } from 'react';
import { navigate as navigateHash } from 'wouter/use-hash-location';
import type { ApiClient, Me } from '../api/client.js';
import { can, type Ability } from './roles.js';

const TOKEN_STORAGE = 'cairn.token';

// sessionStorage: the session token (or admin key) is forgotten when the tab closes.
export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_STORAGE);
}
export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_STORAGE, token);
  else sessionStorage.removeItem(TOKEN_STORAGE);
}

/** Who is signed in (a user or an API key) and their role, from GET /api/v1/me. */
export const MeContext = createContext<Me | null>(null);
export function useMe(): Me | null {
  return useContext(MeContext);
}
/** Whether the signed-in role may do this; the designer hides or disables what it may not. */
export function useCan(ability: Ability): boolean {
  return can(useMe()?.principal.role, ability);
}

export const ApiContext = createContext<ApiClient | null>(null);
export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi must be used inside <ApiContext.Provider>');
  return api;
}

/** Goes to a page: navigate('journeys', id) → '#/journeys/<id>' (each part encoded). */
export function navigate(...parts: string[]): void {
  navigateHash('/' + parts.map(encodeURIComponent).join('/'));
}
