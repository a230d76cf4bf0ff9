/**
 * The boundary rules of eslint.config.js fire: ESLint's own Node API lints a planted bad import as
 * if it were written in the file named, with the repository's config. A rule that stopped matching
 * (a renamed folder, a pattern typo) fails here instead of letting the arrow in silently.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries (eslint.config.js)', () => {
  it.each([
    ['src/web/features/terminal/model/planted.ts', "import { restaurantAccess } from '../../restaurant/model/access.ts';"],
    ['src/web/features/terminal/components/planted.tsx', "import { FleetPage } from '../../../features/fleet/components/fleet-page.tsx';"],
    ['src/web/features/fleet/planted.ts', "import { windows } from '../restaurant/model/restaurant-series.ts';"],
  ])('a feature never imports another feature (%s)', async (file, code) => {
    const messages = await restrictedImports(file, `${code}\nexport const planted = [${code.split(' ')[2]}];\n`);
    expect(messages).toEqual([expect.stringContaining('a feature never imports another feature')]);
  });

  it.each([
    ['src/web/lib/planted.ts', "import { terminalRowsOf } from '../features/restaurant/model/terminal-rows.ts';"],
    ['src/web/components/planted.tsx', "import { kpiTiles } from '../features/fleet/model/kpi-tiles.ts';"],
    ['src/web/live/planted.ts', "import { policyOf } from '../features/terminal/model/terminal-events.ts';"],
  ])('a shared web folder never imports a feature (%s)', async (file, code) => {
    const messages = await restrictedImports(file, `${code}\nexport const planted = [${code.split(' ')[2]}];\n`);
    expect(messages).toEqual([expect.stringContaining('shared web folders')]);
  });

  it('the gateway never imports the hub', async () => {
    const code = "import { startHub } from '../hub/hub.ts';\nexport const planted = startHub;\n";
    expect(await restrictedImports('src/server/gateway/planted.ts', code)).toEqual([expect.stringContaining('the gateway never imports the hub')]);
    // The layer rules still hold for the gateway's files alongside the new one.
    const web = "import { formatMs } from '../../web/lib/format.ts';\nexport const planted = formatMs;\n";
    expect(await restrictedImports('src/server/gateway/planted.ts', web)).toEqual([expect.stringContaining('server and web never import each other')]);
  });

  it('what the rules allow still passes: a feature using shared folders, the app composing features', async () => {
    const own = "import { formatMs } from '../../../lib/format.ts';\nimport { NotInScope } from '../../../components/not-in-scope.tsx';\nexport const planted = [formatMs, NotInScope];\n";
    expect(await restrictedImports('src/web/features/terminal/components/planted.tsx', own)).toEqual([]);
    const app = "import { FleetPage } from '../features/fleet/components/fleet-page.tsx';\nexport const planted = FleetPage;\n";
    expect(await restrictedImports('src/web/app/planted.tsx', app)).toEqual([]);
  });
});
