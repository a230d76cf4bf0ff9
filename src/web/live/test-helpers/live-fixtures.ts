/** The live wire fixtures of src/protocol/test-helpers, under the names the SPA's tests use. */
export { delta, figures, liveOpenEvent as openEvent, snapshot, totals } from '../../../protocol/test-helpers/live-fixtures.ts';
