/** The API client of the signed-in tab, for the features' react-query hooks. */
import { createContext, useContext } from 'react';
import type { ApiClient } from './api-client.ts';

export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <Providers>');
  return api;
}
