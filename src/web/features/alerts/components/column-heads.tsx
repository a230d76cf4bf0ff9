/** The head row of the alerts page's tables: one look for all; `actions` adds the buttons' column, named for screen readers only. */
export function ColumnHeads({ names, actions = false, cell = 'px-2 py-1' }: { names: readonly string[]; actions?: boolean; cell?: string }) {
  return (
    <tr className="border-b border-line">
      {names.map((n) => (
        <th key={n} scope="col" className={cell}>
          {n}
        </th>
      ))}
      {actions && (
        <th scope="col" className={cell}>
          <span className="sr-only">Actions</span>
        </th>
      )}
    </tr>
  );
}
