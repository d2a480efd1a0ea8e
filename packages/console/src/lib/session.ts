/** The admin key lives in sessionStorage only: it goes away with the tab, and never reaches localStorage. */
const KEY = 'mnogate.adminKey';

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, key);
}
