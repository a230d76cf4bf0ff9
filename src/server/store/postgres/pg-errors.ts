/**
 * PostgreSQL's failures on the store's stable codes (../store-errors.ts), by SQLSTATE class, so
 * that the write queue, /metrics and the log say the same for both engines. A connection that
 * cannot be made or is lost is STORE_UNREACHABLE: the write queue keeps its batch and retries.
 */
import { StoreError } from '../store-errors.ts';
import type { StoreErrorCode } from '../store-errors.ts';

const bySqlState: [prefix: string, code: StoreErrorCode][] = [
  ['53', 'STORE_FULL'], // insufficient resources: disk full, out of memory, too many connections
  ['25006', 'STORE_READONLY'], // read-only transaction (a standby, default_transaction_read_only)
  ['42501', 'STORE_READONLY'], // insufficient privilege
  ['40', 'STORE_BUSY'], // serialization failure, deadlock
  ['55P03', 'STORE_BUSY'], // lock not available
  ['57014', 'STORE_BUSY'], // statement timeout or cancel
  ['08', 'STORE_UNREACHABLE'], // connection exception
  ['57P', 'STORE_UNREACHABLE'], // admin/crash shutdown, cannot connect now
  ['58', 'STORE_IO'], // system error (I/O)
  ['XX001', 'STORE_CORRUPT'], // data corrupted
  ['XX002', 'STORE_CORRUPT'], // index corrupted
];

// Node's socket errors and pg's own messages for a connection that is gone.
const unreachableErrno = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);
const unreachableMessage = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/;

/** Any error thrown while using PostgreSQL, as a StoreError with a stable code. */
export function fromPgError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const driverCode = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  let code: StoreErrorCode = 'STORE_INTERNAL';
  if (driverCode && unreachableErrno.has(driverCode)) code = 'STORE_UNREACHABLE';
  else if (driverCode) code = bySqlState.find(([prefix]) => driverCode.startsWith(prefix))?.[1] ?? 'STORE_INTERNAL';
  else if (unreachableMessage.test(message)) code = 'STORE_UNREACHABLE';
  return new StoreError(code, driverCode ? `${driverCode}: ${message}` : message, { cause: error, ...(driverCode ? { driverCode } : {}) });
}
