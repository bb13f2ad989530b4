import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RunStore } from '../../src/runs/runStore';
import { ROOT } from '../helpers/fixtures';
import { screenshot, settled, startHarness, type Harness } from '../helpers/panelHarness';
import { runCli } from '../helpers/runCli';
import { syntheticRun } from '../helpers/syntheticRun';

let harness: Harness;
before(async () => { harness = await startHarness(); });
after(async () => { await harness.close(); });

describe('the report of an interrupted run', () => {
  it('draws the loss up to the last recorded step and says the run was interrupted there', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-report-'));
    fs.writeFileSync(path.join(root, 'package.json'), '{}');
    const file = path.join(root, 'mlp.ts');
    fs.writeFileSync(file, '');
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    const recorder = RunStore.forFile(file).create({ file, pid: deadPid });
    recorder.append(syntheticRun({ epochs: 3, stepsPerEpoch: 20, stopAtStep: 47 }));
    const out = path.join(root, 'report.html');
    const run = runCli(['report', recorder.id, '-o', out], { cwd: root });
    assert.equal(run.status, 0, run.stderr);

    const page = await harness.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(pathToFileURL(out).href);
    await page.click('[data-tab="training"]');
    await settled(page);
    const raw = page.locator('.view-training [data-series="loss-raw"]');
    await raw.waitFor({ state: 'attached', timeout: 15_000 });
    assert.equal(await raw.getAttribute('data-points'), '47');
    assert.equal(await raw.getAttribute('data-x-last'), '47');
    assert.equal(await page.getAttribute('#status', 'data-status'), 'error');
    assert.match(await page.textContent('#status') ?? '', /interrupted after step 47/);
    assert.deepEqual(problems, []);
    await screenshot(page, 'report-interrupted-run');
    assert.ok(fs.existsSync(path.join(ROOT, 'artifacts', 'screenshots', 'report-interrupted-run.png')));
    await page.close();
  });
});
