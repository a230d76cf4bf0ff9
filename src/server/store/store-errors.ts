/**
 * Stable codes for everything the store refuses or fails at. The write queue reports these in its
 * stats and on /metrics, so an operator sees "STORE_FULL" rather than a driver's message, and the
 * PostgreSQL twin can map its own errors onto the same codes.
 */
export const storeErrorCodes = {
  STORE_FULL: 'The disk or database is full',
  STORE_READONLY: 'The database is read-only',
  STORE_BUSY: 'The database is locked by another writer',
  STORE_IO: 'The database file could not be read or written',
  STORE_UNREACHABLE: 'The database server cannot be reached',
  STORE_CORRUPT: 'The database file is corrupt',
  STORE_SCHEMA_TOO_NEW: 'The database was written by a newer Pulse',
  STORE_CLOSED: 'The store is closed',
  STORE_LOCKED: 'The data folder is in use by another Pulse process',
  STORE_INVALID_ROW: 'A row does not have the shape the store accepts',
  STORE_NO_HISTOGRAM_MERGE: 'Two histograms must be merged but no merge function was given',
  STORE_INTERNAL: 'Unexpected store failure',
} as const;

export type StoreErrorCode = keyof typeof storeErrorCodes;

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** The driver's own code (e.g. SQLITE_FULL), kept for the log. */
  readonly driverCode: string | undefined;
  constructor(code: StoreErrorCode, detail?: string, options?: { cause?: unknown; driverCode?: string }) {
    super(detail ? `${storeErrorCodes[code]}: ${detail}` : storeErrorCodes[code], { cause: options?.cause });
    this.name = 'StoreError';
    this.code = code;
    this.driverCode = options?.driverCode;
  }
}

// SQLite extended codes start with the primary one (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED…).
const sqlitePrimary: [prefix: string, code: StoreErrorCode][] = [
  ['SQLITE_FULL', 'STORE_FULL'],
  ['SQLITE_READONLY', 'STORE_READONLY'],
  ['SQLITE_PERM', 'STORE_READONLY'],
  ['SQLITE_BUSY', 'STORE_BUSY'],
  ['SQLITE_LOCKED', 'STORE_BUSY'],
  ['SQLITE_IOERR', 'STORE_IO'],
  ['SQLITE_CANTOPEN', 'STORE_IO'],
  ['SQLITE_CORRUPT', 'STORE_CORRUPT'],
  ['SQLITE_NOTADB', 'STORE_CORRUPT'],
];

/** Any error thrown while using SQLite, as a StoreError with a stable code. */
export function fromSqliteError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const driverCode = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const match = driverCode ? sqlitePrimary.find(([prefix]) => driverCode.startsWith(prefix)) : undefined;
  return new StoreError(match ? match[1] : 'STORE_INTERNAL', driverCode ? `${driverCode}: ${message}` : message, { cause: error, driverCode });
}
