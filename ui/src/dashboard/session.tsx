import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Client } from '../api/client';

/** The key lives in sessionStorage: gone when the tab closes, never written to disk by the page. */
const STORAGE = 'caravan.dashboard.key';

export function storedKey(): string {
  try {
    return window.sessionStorage.getItem(STORAGE) ?? '';
  } catch {
    return '';
  }
}

export function storeKey(key: string): void {
  try {
    if (key) window.sessionStorage.setItem(STORAGE, key);
    else window.sessionStorage.removeItem(STORAGE);
  } catch {
    // storage refused (private mode): the key lives only as long as the page
  }
}

export const ClientContext = createContext<Client | undefined>(undefined);

export function useClient(): Client {
  const c = useContext(ClientContext);
  if (!c) throw new Error('no API client: not signed in');
  return c;
}
