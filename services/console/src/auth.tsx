import { createContext, useContext } from 'react';

export interface Auth {
  signOut: (reason?: string) => void;
}

export const AuthContext = createContext<Auth>({ signOut: () => undefined });

export const useAuth = () => useContext(AuthContext);
