import { describe, expect, it } from 'vitest';
import { createDirectory } from '../directory/restaurant-directory.ts';
import { emptyDirectory, type RestaurantDirectory } from './alert-rule.ts';
import { withDirectory } from './directory-adapter.ts';

// Wednesday 2026-12-02, UTC.
const at = (hhmm: string, day = '02') => Date.parse(`2026-12-${day}T${hhmm}:00Z`);

describe('alerts over the restaurant directory', () => {
  const directory = createDirectory([
    { rid: 'r-002', name: 'Gare', tags: ['paris'], closedDates: ['2026-12-03'], hours: { timezone: 'UTC', days: { wed: [['11:00', '15:00']], thu: [['11:00', '15:00']] } } },
  ]);
  const file: RestaurantDirectory = { tagsOf: (rid) => (rid === 'r-002' ? ['vip'] : []), isOpen: (rid, t) => rid !== 'r-009' || t < at('12:00') };
  const dir = withDirectory(file, () => directory);

  it('joins the tags of both', () => {
    expect(dir.tagsOf('r-002')).toEqual(['vip', 'paris']);
    expect(dir.tagsOf('r-001')).toEqual([]);
  });

  it("follows the directory's hours and closed dates, and the file's", () => {
    expect(dir.isOpen('r-002', at('12:00'))).toBe(true);
    expect(dir.isOpen('r-002', at('16:00'))).toBe(false);
    expect(dir.isOpen('r-002', at('12:00', '03'))).toBe(false); // a closed date
    expect(dir.isOpen('r-009', at('13:00'))).toBe(false); // the file's hours
    expect(dir.isOpen('r-001', at('03:00'))).toBe(true); // in neither: always open
    expect(withDirectory(emptyDirectory, () => directory).isOpen('r-002', at('16:00'))).toBe(false);
  });
});
