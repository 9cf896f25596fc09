import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConsoleApp } from '../../console/server/app.js';
import { ConsoleContext } from '../../console/server/context.js';
import { parseSamples } from '../../console/server/prometheus-text.js';
import { referenceProfile } from '../../console/server/reference-profile.js';
import { equals } from '../../console/server/workflow-list.js';
import { resolveConfig } from '../../lib/config/resolve-config.js';

describe("the console's server", () => {
  const config = resolveConfig({ console: { address: '127.0.0.1:8300' } }, {});

  it('answers only for its own host, takes changes only from its own pages, and sends no secret', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'dist-'));
    writeFileSync(join(dist, 'index.html'), '<html>console</html>');
    const app = await buildConsoleApp(ConsoleContext.create(config), { webDist: dist });
    const info = await app.inject({ url: '/api/info', headers: { host: '127.0.0.1:8300' } });
    assert.equal(info.statusCode, 200);
    assert.ok(!info.body.includes(config.minio.secretKey));
    assert.equal((await app.inject({ url: '/api/info', headers: { host: 'attacker.example' } })).statusCode, 421);
    const post = await app.inject({
      method: 'POST',
      url: '/api/labeling/x/labels',
      headers: { host: 'localhost:8300', origin: 'http://attacker.example', 'content-type': 'application/json' },
      payload: {},
    });
    assert.equal(post.statusCode, 403);
    const page = await app.inject({ url: '/labeling/some-session', headers: { host: 'localhost:8300' } });
    assert.equal(page.body, '<html>console</html>', 'every page is the single-page app');
    assert.equal((await app.inject({ url: '/api/nope', headers: { host: 'localhost' } })).statusCode, 404);
    await app.close();
  });

  it('refuses a list filter that could leave its quotes', () => {
    assert.equal(equals('PipelineName', 'digits-2'), "PipelineName = 'digits-2'");
    assert.throws(() => equals('PipelineName', "x' OR 1=1"), /characters a filter does not take/);
  });

  it("profiles a labeled set's features: median, middle half and each label's median", () => {
    const p = referenceProfile('f0,f1,label\n1,10,a\n2,20,a\n3,30,b\n4,40,b\n5,x,b\n', 'label', ['f0', 'f1', 'label']);
    assert.equal(p.rows, 5);
    assert.deepEqual(
      p.columns.map((c) => c.name),
      ['f0', 'f1'],
    );
    assert.deepEqual(p.columns[0], { name: 'f0', median: 3, p25: 2, p75: 4, byLabel: { a: 1.5, b: 4 } });
    assert.equal(p.columns[1]!.median, 25, 'values that are no numbers are left out');
  });

  it("reads the samples of Prometheus's text format", () => {
    const text =
      '# HELP x\n# TYPE tidemark_steps_total counter\ntidemark_steps_total{state="cached",backend="docker"} 4\nother 1\n';
    assert.deepEqual(parseSamples(text, 'tidemark_'), [
      { name: 'tidemark_steps_total', labels: '{state="cached",backend="docker"}', value: 4 },
    ]);
  });
});
