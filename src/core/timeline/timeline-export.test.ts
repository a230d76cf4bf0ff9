import { describe, expect, it } from 'vitest';
import { buildTimeline } from './build-timeline.ts';
import { csvCell, exportFileName, sanitizeName, toCsv, toJson } from './timeline-export.ts';
import type { TimelineEvent } from './timeline-types.ts';
import { at, e, RID, TID } from './test-helpers/timeline-fixtures.ts';

/** Splits RFC 4180 text into rows of fields (quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('CSV export', () => {
  it.each([
    { value: 'plain', cell: 'plain' },
    { value: 'a,b', cell: '"a,b"' },
    { value: 'say "hi"', cell: '"say ""hi"""' },
    { value: 'two\nlines', cell: '"two\nlines"' },
    { value: '=HYPERLINK("http://x")', cell: '"\'=HYPERLINK(""http://x"")"' },
    { value: '+1', cell: "'+1" },
    { value: '-2+3', cell: "'-2+3" },
    { value: '@SUM(A1)', cell: "'@SUM(A1)" },
    { value: '\tcmd', cell: "'\tcmd" },
    { value: -5, cell: '-5' },
    { value: true, cell: 'true' },
    { value: undefined, cell: '' },
  ])('$value → $cell', ({ value, cell }) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('one row per lifecycle event in the window: duplicates, samples and outsiders left out', () => {
    const events: TimelineEvent[] = [
      e.open(-10, 'c0'),
      e.open(10, 'c1'),
      e.beat(25, 'c1'),
      e.late(28, 'c1', 18, 41),
      e.limit(30, 'c1', 'invalid', '=cmd|calc'),
      e.close(30, 'c1', 1008, 20, { reason: 'invalid message, "bad"' }),
      e.close(30, 'c1', 1008, 20, { reason: 'invalid message, "bad"' }),
      e.authFail(40, 'bad_signature'),
      e.open(50, 'c2'),
      e.open(120, 'c3'),
    ];
    const csv = toCsv(events, { from: at(0), to: at(120) });
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual(['time_utc', 't', 'type', 'gw', 'rid', 'tid', 'conn', 'code', 'cause', 'reason', 'by_server', 'duration_ms', 'via', 'kind', 'detail', 'gap_ms', 'rtt_ms']);
    expect(rows.slice(1).map((r) => r[2])).toEqual(['open', 'heartbeat_late', 'limit', 'close', 'auth_fail', 'open']);
    const t = buildTimeline({ events, from: at(0), to: at(120), now: at(200) });
    expect(rows.length - 1).toBe(t.events.length);
    for (const r of rows) expect(r).toHaveLength(17);
    expect(rows[2]!.slice(6)).toEqual(['c1', '', '', '', '', '', '', '', '', '18000', '41']);
    expect(rows[3]![14]).toBe("'=cmd|calc");
    expect(rows[4]!.slice(7, 12)).toEqual(['1008', 'invalid_message', 'invalid message, "bad"', 'true', '20000']);
    expect(rows[5]!.slice(7, 10)).toEqual(['4001', 'auth_failed', 'bad_signature']);
    expect(rows[1]![0]).toBe('2026-11-26T19:00:10.000Z');
  });

  it('an implausible-RTT record is a row: the report as sent in rtt_ms, how many pings in detail (issue 18, item 1)', () => {
    const events: TimelineEvent[] = [e.open(10, 'c1'), { type: 'rtt_implausible', gw: 'gw-1', t: at(20), rid: RID, tid: TID, conn: 'c1', rtt: -5, count: 2 }];
    const rows = parseCsv(toCsv(events, { from: at(0), to: at(120) }));
    expect(rows[2]).toHaveLength(17);
    expect(rows[2]!.slice(2, 3).concat(rows[2]!.slice(6))).toEqual(['rtt_implausible', 'c1', '', '', '', '', '', '', '', '2 ping(s) with an implausible RTT', '', '-5']);
  });

  it('a header alone when the window is empty', () => {
    expect(parseCsv(toCsv([]))).toHaveLength(1);
  });
});

describe('JSON export', () => {
  it('a timeline round-trips through JSON, with the meta first', () => {
    const t = buildTimeline({ events: [e.open(10, 'c1'), e.close(20, 'c1', 1006, 10)], from: at(0), to: at(60), now: at(60) });
    const parsed = JSON.parse(toJson(t, { tid: 'r-001-t1' })) as Record<string, unknown>;
    expect(Object.keys(parsed)[0]).toBe('tid');
    expect(parsed).toMatchObject({ from: at(0), end: at(60), segments: t.segments, disconnects: t.disconnects });
  });

  it('bare events: de-duplicated and in order', () => {
    const parsed = JSON.parse(toJson([e.open(20, 'c2'), e.open(10, 'c1'), e.open(10, 'c1')])) as { events: { conn: string }[] };
    expect(parsed.events.map((x) => x.conn)).toEqual(['c1', 'c2']);
  });
});

describe('export file name', () => {
  it.each([
    { tid: 'r-001-t1', name: 'pulse-r-001-t1-20261126T1940-20261126T2040.csv' },
    { tid: '../../etc/passwd', name: 'pulse-etc_passwd-20261126T1940-20261126T2040.csv' },
    { tid: 'Café table 4 <b>', name: 'pulse-Cafe_table_4_b-20261126T1940-20261126T2040.csv' },
    { tid: '...', name: 'pulse-terminal-20261126T1940-20261126T2040.csv' },
  ])('$tid → $name', ({ tid, name }) => {
    expect(exportFileName(tid, Date.UTC(2026, 10, 26, 19, 40), Date.UTC(2026, 10, 26, 20, 40), 'csv')).toBe(name);
  });

  it("names the restaurant when the id does not already (two restaurants' till-1 export apart)", () => {
    const [from, to] = [Date.UTC(2026, 10, 26, 19, 40), Date.UTC(2026, 10, 26, 20, 40)];
    expect(exportFileName('till-1', from, to, 'csv', 'r-a')).toBe('pulse-r-a-till-1-20261126T1940-20261126T2040.csv');
    expect(exportFileName('r-001-t1', from, to, 'json', 'r-001')).toBe('pulse-r-001-t1-20261126T1940-20261126T2040.json');
  });

  it('is never longer than a file system allows', () => {
    expect(sanitizeName('x'.repeat(1000)).length).toBe(64);
  });
});
