/**
 * The largest time any wire contract takes (ms since epoch): the last instant a JavaScript `Date`
 * can hold (+275760-09-13). Beyond it `new Date(t).toISOString()` throws, so an event stamped
 * later could reach the store, an export or a log line only to break it; a clock can be wrong,
 * but no clock reads a time that is no date. Shared by the terminals' frames (pos-messages.ts)
 * and the open ingest (ingest.ts), whose refusals say which field: INVALID_MESSAGE, "t: Too big".
 */
export const maxTimeMs = 8_640_000_000_000_000;
