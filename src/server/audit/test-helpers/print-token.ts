/**
 * A `--token-cmd` as a gateway's owners would write one: prints a terminal token for the identity
 * the audit asks for (PULSE_AUDIT_RESTAURANT, PULSE_AUDIT_TERMINAL), signed with AUDIT_TEST_SECRET.
 */
import { signTerminalToken } from '../../auth/tokens.ts';

const { AUDIT_TEST_SECRET: secret, PULSE_AUDIT_RESTAURANT: rid, PULSE_AUDIT_TERMINAL: tid } = process.env;
if (!secret || !rid || !tid) {
  console.error('print-token: needs AUDIT_TEST_SECRET, PULSE_AUDIT_RESTAURANT and PULSE_AUDIT_TERMINAL');
  process.exit(2);
}
process.stdout.write(signTerminalToken(secret, tid, rid, 600) + '\n');
