import { describe, expect, it } from 'vitest';
import { emptyLiveData } from '../../../live/live-data.ts';
import { withInterest } from '../../../live/live-interest.ts';
import { applyFrames } from '../../../live/live-reducer.ts';
import { delta, figures, snapshot } from '../../../live/test-helpers/live-fixtures.ts';
import { countByStatus, updatedOrder, visibleRestaurants } from './restaurant-order.ts';

const rid = (i: number): string => `r-${String(i).padStart(5, '0')}`;
const fleet = Array.from({ length: 10_000 }, (_, i) => figures(rid(i)));

describe('the list under interest-based streaming', () => {
  it("an off-screen restaurant's summary patch still moves it worst-first and in the status counts", () => {
    const start = applyFrames(emptyLiveData(), [snapshot(10, { restaurants: fleet })], 0);
    let data = { ...start, interest: withInterest(start.interest, 'list', [rid(5000)]) };
    const filter = { q: '', status: null };
    const before = visibleRestaurants(data.restaurants, filter);
    expect(before[0]!.rid).toBe(rid(0));
    // The summary of a restaurant nobody looks at: status and connections only.
    data = applyFrames(data, [delta(11, { restaurants: [{ rid: rid(9000), status: 'offline', connections: 0 }] })], 1);
    const change = data.restaurantsChanged!;
    const after = updatedOrder(before, data.restaurants, change.rids, filter);
    expect(after[0]!.rid).toBe(rid(9000));
    expect(countByStatus(data.restaurants.values()).offline).toBe(1);
    expect(visibleRestaurants(data.restaurants, { q: '', status: 'offline' }).map((r) => r.rid)).toEqual([rid(9000)]);
  });
});
