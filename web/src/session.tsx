import { createContext, useContext } from 'react';
import type { Me } from './types.ts';

export const SessionContext = createContext<Me['user'] | null>(null);

/** The logged-in account (name and role). */
export function useSession(): Me['user'] {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside the logged-in app');
  return s;
}

export const canRespond = (role: string) => role === 'responder' || role === 'admin';
