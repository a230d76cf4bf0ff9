/**
 * The store's default way to merge two encoded histograms: core's HDR wrapper, so the stored
 * minute equals the histogram of every sample of both writes (HDR buckets line up exactly).
 */
import { decodeHistogram } from '../../core/histogram.ts';
import type { MergeHistogram } from './store.ts';

/**
 * An encoding that does not decode is a producer bug; it must not destroy the good half, so the
 * decodable side is kept as is (and if neither decodes, the newer one is).
 */
export const mergeEncodedHistograms: MergeHistogram = (a, b) => {
  const older = decodeHistogram(a, 64);
  if (!older) return b;
  // The newer side goes straight into the older (core/histogram-codec.ts, addEncodedInto): the
  // same bytes as decoding it and merging, one histogram fewer. The older one is still decoded in
  // full, since its header's range is what the merged encoding carries.
  return older.addEncoded(b) ? older.encode() : a;
};
