/**
 * Where a terminal's page is. A terminal is (rid, tid): tills are named per restaurant (issue 18,
 * item 3), so every link names both; `/terminals/:tid` is only the old address, resolved or
 * refused by the terminal-id page.
 */

/** `/restaurants/:rid/terminals/:tid`, each id encoded; `search` (with or without `?`) kept. */
export function terminalPath(rid: string, tid: string, search = ''): string {
  const query = search === '' || search === '?' ? '' : search.startsWith('?') ? search : `?${search}`;
  return `/restaurants/${encodeURIComponent(rid)}/terminals/${encodeURIComponent(tid)}${query}`;
}
