import { strict as assert } from 'node:assert';
import { evaluateCondition, parseCondition } from '../../common/condition.js';
import { interpolate } from '../../common/interpolate.js';
import { PipelineSpecError, validatePipeline } from '../../common/pipeline-spec.js';

const img = 'tidemark/busybox:latest';

function problemsOf(raw: unknown): string[] {
  try {
    validatePipeline(raw);
  } catch (err) {
    assert.ok(err instanceof PipelineSpecError, String(err));
    return err.problems;
  }
  assert.fail('the spec was accepted');
}

describe('pipeline spec validation', () => {
  it('accepts a valid DAG and fills in defaults', () => {
    const spec = validatePipeline({
      name: 'ok',
      params: { seeds: [1, 2] },
      steps: [
        { name: 'a', image: img, outputs: ['x'] },
        {
          name: 'b',
          image: img,
          inputs: { x: 'a.x' },
          outputs: { y: 'dir/y.txt' },
          map: { over: '${params.seeds}', as: 'seed' },
          params: { seed: '${seed}' },
        },
        { name: 'c', image: img, inputs: { x: { step: 'a', output: 'x' } }, when: 'a.metrics.acc > 0.5' },
      ],
    });
    assert.equal(spec.maxParallel, 4);
    assert.equal(spec.failFast, true);
    const b = spec.steps[1]!;
    assert.equal(b.kind, 'container');
    if (b.kind === 'container') {
      assert.deepEqual(b.outputs, { y: 'dir/y.txt' });
      assert.equal(b.timeout, 3_600_000);
      assert.deepEqual(b.cache, { enabled: true, version: '1' });
      assert.equal(b.network, 'none');
    }
  });

  it('lists every problem at once, each with its step and field', () => {
    const problems = problemsOf({
      name: 'bad',
      steps: [
        { name: 'a', image: img, outputs: { x: '../escape' } },
        { name: 'a', image: 'Not An Image!', outputs: ['y'] },
        { name: 'b', image: img, inputs: { d: 'gathr.data' }, resources: { cpus: -1 } },
        { name: 'c', image: img, inputs: { d: 'd.out' }, outputs: ['out'] },
        { name: 'd', image: img, inputs: { d: 'c.out' }, outputs: ['out'] },
        { name: 'e', image: img, outputs: { abs: '/etc/passwd' } },
        { name: 'f', image: img, inputs: { z: 'c.nothing' } },
      ],
    });
    const text = problems.join('\n');
    assert.match(text, /step "a", field outputs\.x: .*"\.\."/);
    assert.match(text, /step "a", field image: not a valid image reference/);
    assert.match(text, /step "b", field inputs\.d: unknown step "gathr"/);
    assert.match(text, /step "b", field resources\.cpus: cpus must be positive/);
    assert.match(text, /step "e", field outputs\.abs: .*start with "\/"/);
    assert.match(text, /step "f", field inputs\.z: step "c" has no output "nothing"/);
    assert.ok(problems.length >= 6, text);
  });

  it('finds duplicate names and cycles', () => {
    const text = problemsOf({
      name: 'cyc',
      steps: [
        { name: 'a', image: img, outputs: ['o'] },
        { name: 'a', image: img, outputs: ['o'] },
        { name: 'c', image: img, inputs: { i: 'd.o' }, outputs: ['o'] },
        { name: 'd', image: img, inputs: { i: 'c.o' }, outputs: ['o'] },
      ],
    }).join('\n');
    assert.match(text, /step "a", field name: duplicate step name/);
    assert.match(text, /cycle: (c -> d -> c|d -> c -> d)/);
  });

  it('rejects a step with both image and build, or neither', () => {
    const text = problemsOf({
      name: 'x',
      steps: [{ name: 'a' }, { name: 'b', image: img, build: { context: '.' } }],
    }).join('\n');
    assert.match(text, /step "a", field image: give exactly one of `image` or `build`/);
    assert.match(text, /step "b", field image: give exactly one/);
  });

  it('rejects unknown params in templates and conditions', () => {
    const text = problemsOf({
      name: 'x',
      params: { k: 1 },
      steps: [{ name: 'a', image: img, args: ['${params.nope}'], when: 'params.other == 1' }],
    }).join('\n');
    assert.match(text, /unknown reference \$\{params\.nope\}/);
    assert.match(text, /field when: unknown param "other"/);
  });

  it('validates nested pipelines and names the path to the problem', () => {
    const text = problemsOf({
      name: 'outer',
      steps: [{ name: 'sub', pipeline: { name: 'inner', steps: [{ name: 'x', image: 'BAD IMAGE' }] } }],
    }).join('\n');
    assert.match(text, /step "sub" > step "x", field image/);
  });
});

describe('conditions and templates', () => {
  it('evaluate metrics, params and alarms, and are false when the value is missing', () => {
    const scope = {
      params: { retrain: true },
      metrics: (s: string) => (s === 'ev' ? { acc: 0.8 } : undefined),
      alarm: (s: string) => (s === 'drift' ? true : undefined),
    };
    const holds = (src: string) => {
      const c = parseCondition(src);
      assert.notEqual(typeof c, 'string');
      return evaluateCondition(c as Exclude<typeof c, string>, scope).holds;
    };
    assert.equal(holds('ev.metrics.acc < 0.9'), true);
    assert.equal(holds('ev.metrics.acc >= 0.9'), false);
    assert.equal(holds('params.retrain == true'), true);
    assert.equal(holds('drift.alarm == true'), true);
    assert.equal(holds('other.metrics.acc > 0'), false);
    assert.equal(typeof parseCondition('acc is high'), 'string');
  });

  it('are rejected at validation with the column where they stop parsing, not accepted and silently false', () => {
    const text = problemsOf({
      name: 'p',
      steps: [
        { name: 'a', image: img },
        { name: 'b', image: img, when: 'a.metrics.acc <<< 0.9 &&' },
        { name: 'c', image: img, when: 'a.metrics.acc < 0.9 &&' },
        { name: 'd', image: img, when: 'a.metrics.acc <' },
      ],
    }).join('\n');
    assert.match(
      text,
      /step "b", field when: "a\.metrics\.acc <<< 0\.9 &&" does not parse: at column 16, expected a number/,
    );
    assert.match(text, /step "c", field when: .* at column 21, expected the end of the condition .* found "&&"/);
    assert.match(text, /step "d", field when: .* at column 16, .* found the end of the condition/);
    const ok = parseCondition("params.model == 'random forest'");
    assert.notEqual(typeof ok, 'string');
    assert.equal((ok as { value: unknown }).value, 'random forest');
  });

  it('keep the type of a whole-string reference and stringify inside longer strings', () => {
    assert.deepEqual(
      interpolate({ n: '${params.n}', s: 'n=${params.n}', l: ['${item}'] }, { params: { n: 5 }, item: [1, 2] }),
      { n: 5, s: 'n=5', l: [[1, 2]] },
    );
  });
});
