import { describe, expect, it } from 'vitest';
import { createHistogram } from '../../core/histogram.ts';
import { decodeRow, encodeRow } from './row-codec.ts';

describe('row codec', () => {
  const h = createHistogram();
  for (const v of [12, 40, 41, 300]) h.record(v);
  const row = {
    rid: 'r-001',
    minute: 1_700_000_040_000,
    counters: { opens: 2, 'closes.1006': 1, healthyMs: 59_999.5 },
    gauges: { connections: { last: 3, min: 1, max: 4 } },
    // Another encoder's text, and one that is not base64 at all, come back exactly as written.
    histograms: { rtt: h.encode(), odd: 'QUJD', junk: 'not base64 ✓' },
  };

  it('reads back what was written, smaller than JSON', () => {
    const stored = encodeRow(row);
    expect(decodeRow(row.rid, row.minute, stored)).toEqual(row);
    const json = JSON.stringify(row.counters).length + JSON.stringify(row.gauges).length + JSON.stringify(row.histograms).length;
    expect(stored.counters.length + stored.gauges.length + stored.histograms.length).toBeLessThan(json);
  });

  it('leaves out zero counters (an absent counter is 0) and still reads rows of the old layout', () => {
    const withZeros = { ...row, counters: { ...row.counters, reconnects: 0 } };
    expect(decodeRow(row.rid, row.minute, encodeRow(withZeros)).counters).toEqual(row.counters);
    const old = { counters: JSON.stringify(withZeros.counters), gauges: JSON.stringify(row.gauges), histograms: JSON.stringify(row.histograms) };
    expect(decodeRow(row.rid, row.minute, old)).toEqual(row);
  });
});
