/** A row's figures as text (no DOM needed): never an old figure shown as current. */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { figures } from '../../../live/test-helpers/live-fixtures.ts';
import { RestaurantRow } from './restaurant-row.tsx';

const r = figures('r-001', { connections: 3, expected: 4, rttMs: { p50: 20, p95: 123, p99: 200 }, errorsPerMin: 2 });
const render = (live: boolean): string =>
  renderToStaticMarkup(<RestaurantRow r={r} live={live} index={0} total={1} active={false} onFocusRow={() => {}} onKeyDown={() => {}} />);

describe('restaurant row under interest', () => {
  it('shows every figure when live', () => {
    const html = render(true);
    expect(html).toContain('123');
    expect(html).toContain('data-live="true"');
  });

  it('shows status and connections but holds the rolling figures back until they are current', () => {
    const html = render(false);
    expect(html).toContain('data-live="false"');
    expect(html).toContain('data-status="healthy"');
    expect(html).toMatch(/>3<\/span> \/ 4/);
    expect(html).not.toContain('123');
    expect(html.match(/…/g)).toHaveLength(4);
  });
});
