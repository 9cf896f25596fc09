import { strict as assert } from 'node:assert';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { registerGraph } from '../../cli/main.js';
import { STATE_COLOURS } from '../../cli/graph/colours.js';
import { tempDir } from '../helpers/temp.js';

const BUSYBOX = 'tidemark/busybox:latest';

/** A diamond (gather -> left/right -> join), a mapped step, a `when` on a metric and one on a param, and a nested pipeline in its own file. */
const PIPELINE = `
name: graph-demo
params:
  seeds: [1, 2, 3]
  retrain: true
steps:
  - name: gather
    image: ${BUSYBOX}
    outputs: [data]
  - name: left
    image: ${BUSYBOX}
    inputs: { data: gather.data }
    outputs: [model]
  - name: right
    image: ${BUSYBOX}
    inputs: { data: gather.data }
    map: { over: "\${params.seeds}", as: seed }
    params: { seed: "\${seed}" }
    outputs: [model]
  - name: join
    image: ${BUSYBOX}
    inputs: { a: left.model, b: right.model }
    when: 'left.metrics.accuracy < 0.9'
    outputs: [report]
  - name: retrain
    when: params.retrain == true
    inputs: { report: join.report }
    pipeline: ./retrain.yaml
`;

const NESTED = `
name: retrain-inner
inputs: { report: { path: ./report.txt } }
outputs: { final: fit.model }
steps:
  - name: fit
    image: ${BUSYBOX}
    inputs: { r: inputs.report }
    outputs: [model]
  - name: end
    image: ${BUSYBOX}
    inputs: { m: fit.model }
`;

const STEPS = ['gather', 'left', 'right', 'join', 'retrain', 'retrain__fit', 'retrain__end'];
const EDGES = [
  ['gather', 'left'],
  ['gather', 'right'],
  ['left', 'join'],
  ['right', 'join'],
  ['join', 'retrain'],
  ['retrain__fit', 'retrain__end'],
];

/** Each line is one flowchart statement, and subgraphs are closed: the shapes this renderer writes. */
function assertFlowchartSyntax(mermaid: string): void {
  const [head, ...lines] = mermaid.trimEnd().split('\n');
  assert.equal(head, 'flowchart LR');
  const label = '"[^"]*"';
  const forms = [
    /^%% .*$/,
    /^classDef \w+ fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#[0-9a-f]{6}$/,
    new RegExp(`^\\w+(\\[${label}\\]|\\[\\[${label}\\]\\]|\\{\\{${label}\\}\\}):::\\w+$`),
    new RegExp(`^subgraph \\w+\\[${label}\\]$`),
    /^direction LR$/,
    /^end$/,
    /^class \w+ \w+$/,
    new RegExp(`^\\w+ -->(\\|${label}\\|)? \\w+$`),
  ];
  let depth = 0;
  for (const line of lines.map((l) => l.trim())) {
    assert.ok(
      forms.some((f) => f.test(line)),
      `not a flowchart statement: ${line}`,
    );
    if (line.startsWith('subgraph ')) depth++;
    if (line === 'end') depth--;
    assert.ok(depth >= 0, 'an end without a subgraph');
  }
  assert.equal(depth, 0, 'a subgraph is not closed');
}

/** Every element named `tag` in a fast-xml-parser tree. */
function elements(node: unknown, tag: string): Record<string, unknown>[] {
  if (Array.isArray(node)) return node.flatMap((n) => elements(n, tag));
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => [
    ...(k === tag ? ([v].flat() as Record<string, unknown>[]) : []),
    ...elements(v, tag),
  ]);
}

describe('tidemark graph', () => {
  let dir: string;

  before(async () => {
    dir = tempDir('graph');
    await writeFile(join(dir, 'pipeline.yaml'), PIPELINE);
    await writeFile(join(dir, 'retrain.yaml'), NESTED);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('draws a pipeline file as Mermaid and SVG, every step pending', async () => {
    const program = new Command('tidemark').exitOverride();
    registerGraph(program);
    const log = console.log;
    const printed: string[] = [];
    console.log = (line: string) => void printed.push(line);
    try {
      await program.parseAsync(['graph', join(dir, 'pipeline.yaml'), '--out', join(dir, 'out', 'demo')], {
        from: 'user',
      });
    } finally {
      console.log = log;
    }
    assert.deepEqual(printed.join('\n').split('\n'), [join(dir, 'out', 'demo.mmd'), join(dir, 'out', 'demo.svg')]);

    const mermaid = await readFile(join(dir, 'out', 'demo.mmd'), 'utf8');
    assertFlowchartSyntax(mermaid);
    for (const step of STEPS.filter((s) => s !== 'retrain'))
      assert.match(
        mermaid,
        new RegExp(`^\\s*${step}\\[\\[?"${step.replace('retrain__', '')}<br/>`, 'm'),
        `no node for ${step}`,
      );
    assert.match(
      mermaid,
      /^\s*subgraph retrain\["retrain<br\/>pipeline retrain-inner<br\/>when params\.retrain == true"\]$/m,
    );
    assert.match(
      mermaid,
      /^\s*right\[\["right<br\/>container · tidemark\/busybox:latest<br\/>map over \$\{params\.seeds\} \(3 items\)"\]\]:::pending$/m,
    );
    for (const [from, to] of EDGES)
      assert.match(mermaid, new RegExp(`^\\s*${from} -->(\\|"[^"]*"\\|)? ${to}$`, 'm'), `no edge ${from} --> ${to}`);
    assert.match(mermaid, /^\s*left -->\|"when left\.metrics\.accuracy #60; 0\.9"\| join$/m);
    assert.equal(mermaid.match(/-->/g)?.length, EDGES.length);

    const svg = await readFile(join(dir, 'out', 'demo.svg'), 'utf8');
    assert.equal(XMLValidator.validate(svg), true);
    const tree: unknown = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg);
    const steps = elements(tree, 'g').filter((g) => g.class === 'step');
    assert.deepEqual(steps.map((g) => g['data-step']).sort(), [...STEPS].sort());
    for (const g of steps) {
      const boxes = [g.rect].flat() as Record<string, string>[];
      assert.equal(boxes.filter((r) => r.class === 'step-box').length, 1, `one box for ${String(g['data-step'])}`);
      assert.equal(g['data-state'], 'pending');
      assert.ok(
        boxes.every((r) => r.fill === STATE_COLOURS.pending.fill),
        `${String(g['data-step'])} is drawn pending`,
      );
    }
    assert.equal(elements(tree, 'path').filter((p) => p.class === 'edge').length, EDGES.length);
    const legend = elements(tree, 'g')
      .filter((g) => g.class === 'legend-item')
      .map((g) => g['data-state']);
    assert.deepEqual(legend, Object.keys(STATE_COLOURS));
    assert.ok(svg.includes('when left.metrics.accuracy &#60; 0.9'), 'the condition is escaped in the SVG');
  });
});
