import { strict as assert } from 'node:assert';
import { countersBetween, evaluateGates, quantileMs } from '../../common/serving-gates.js';
import {
  DeploymentOptionsSchema,
  DeployRequestSchema,
  LATENCY_BUCKETS_MS,
  parseModelRef,
  type MetricsSnapshot,
} from '../../common/serving.js';
import { readMlmodel, unservableReason } from '../../lib/serving/mlmodel.js';
import { parsePrometheusText } from '../../lib/serving/prometheus-text.js';
import { renderHaproxyConfig } from '../../lib/serving/proxy/haproxy-config.js';

/** A cumulative histogram with `n` requests at about `ms` each. */
function hist(n: number, ms: number): number[] {
  return [...LATENCY_BUCKETS_MS.map((b) => (b >= ms ? n : 0)), n];
}

function snap(versions: Record<string, { requests: number; errors: number; ms: number }>): MetricsSnapshot {
  return {
    at: 1,
    versions: Object.fromEntries(
      Object.entries(versions).map(([v, c]) => [
        v,
        { requests: c.requests, errors: c.errors, latency: hist(c.requests, c.ms) },
      ]),
    ),
  };
}

const gates = DeploymentOptionsSchema.parse({}).gates;

describe('serving: model references and options', () => {
  it('parses name@alias and name/version, and refuses anything else', () => {
    assert.deepEqual(parseModelRef('digits@champion'), { name: 'digits', alias: 'champion' });
    assert.deepEqual(parseModelRef('digits-classifier/12'), { name: 'digits-classifier', version: '12' });
    assert.equal(parseModelRef('digits'), undefined);
    assert.equal(parseModelRef('digits/v2'), undefined);
    assert.equal(parseModelRef('@champion'), undefined);
  });

  it('takes dwell times in milliseconds or with a unit, and canary steps that increase to 100', () => {
    assert.equal(DeployRequestSchema.parse({ model: 'd/1', dwellMs: '5m' }).dwellMs, 300_000);
    assert.equal(DeployRequestSchema.parse({ model: 'd/1', dwellMs: 0 }).dwellMs, 0);
    assert.throws(() => DeployRequestSchema.parse({ model: 'd/1', canary: [50, 10, 100] }), /must increase/);
    assert.throws(() => DeployRequestSchema.parse({ model: 'd/1', canary: [10, 50] }), /last canary step must be 100/);
    assert.deepEqual(DeploymentOptionsSchema.parse({}).canary, [10, 50, 100]);
  });
});

describe('serving: gates', () => {
  it('passes a canary that errs and answers like the stable version', () => {
    const r = evaluateGates({
      step: 0,
      weight: 10,
      gates,
      canary: 'v2',
      stable: 'v1',
      baseline: snap({}),
      now: snap({ v1: { requests: 900, errors: 9, ms: 5 }, v2: { requests: 100, errors: 1, ms: 7.5 } }),
    });
    assert.equal(r.passed, true, r.reasons.join('; '));
    assert.equal(r.canary.p99Ms, 7.5);
  });

  it("fails a canary whose error rate exceeds the stable version's by more than the margin, saying so", () => {
    const r = evaluateGates({
      step: 1,
      weight: 50,
      gates,
      canary: 'v2',
      stable: 'v1',
      baseline: snap({ v1: { requests: 100, errors: 0, ms: 5 }, v2: { requests: 10, errors: 0, ms: 5 } }),
      now: snap({ v1: { requests: 200, errors: 1, ms: 5 }, v2: { requests: 110, errors: 30, ms: 5 } }),
    });
    assert.equal(r.passed, false);
    assert.match(r.reasons[0]!, /error rate 30\.0% over 100 requests exceeds 3\.0%/);
  });

  it("fails a canary whose p99 exceeds the stable version's by the ratio plus the slack", () => {
    const r = evaluateGates({
      step: 0,
      weight: 10,
      gates,
      canary: 'v2',
      stable: 'v1',
      baseline: snap({}),
      now: snap({ v1: { requests: 500, errors: 0, ms: 10 }, v2: { requests: 50, errors: 0, ms: 100 } }),
    });
    assert.equal(r.passed, false);
    assert.match(r.reasons.join(), /p99 latency 100 ms exceeds 45\.0 ms/);
  });

  it('waits for traffic when a step needs more canary requests than it had', () => {
    const r = evaluateGates({
      step: 0,
      weight: 10,
      gates: { ...gates, minRequests: 50 },
      canary: 'v2',
      stable: 'v1',
      baseline: snap({}),
      now: snap({ v2: { requests: 3, errors: 0, ms: 5 } }),
    });
    assert.equal(r.passed, false);
    assert.equal(r.insufficient, true);
  });

  it('takes counters that went down (a restarted proxy) as counting from zero', () => {
    const c = countersBetween(
      { requests: 500, errors: 5, latency: hist(500, 5) },
      { requests: 20, errors: 1, latency: hist(20, 5) },
    );
    assert.equal(c.requests, 20);
    assert.equal(c.errors, 1);
  });

  it('reads quantiles from a cumulative histogram as the bound of their bucket', () => {
    const h = LATENCY_BUCKETS_MS.map((b) => (b < 5 ? 0 : b < 50 ? 98 : 100));
    assert.equal(quantileMs([...h, 100], 0.5), 5);
    assert.equal(quantileMs([...h, 100], 0.99), 50);
    assert.equal(quantileMs(new Array(LATENCY_BUCKETS_MS.length + 1).fill(0), 0.99), undefined);
  });
});

describe('serving: model format, proxy config and metrics', () => {
  it('serves sklearn and ONNX python_function flavors and says why it cannot serve others', () => {
    const sklearn = readMlmodel(
      'flavors:\n  python_function: { loader_module: mlflow.sklearn }\n  sklearn: { pickled_model: model.pkl }\n',
    );
    assert.equal(unservableReason(sklearn), undefined);
    assert.match(
      unservableReason(readMlmodel('flavors:\n  spark: {}\n'))!,
      /no python_function flavor \(flavors: spark\)/,
    );
    assert.match(
      unservableReason(readMlmodel('flavors:\n  python_function: { loader_module: mlflow.spark }\n'))!,
      /mlflow\.spark, which the serving image does not have/,
    );
    assert.throws(() => readMlmodel('just: text'), /no flavors/);
  });

  it("writes HAProxy's config with the weights, health checks, the exporter, and sampling only when on", () => {
    const spec = {
      dir: '/tmp/d',
      port: 1000,
      statsPort: 1001,
      logPort: 1002,
      sampleRate: 0,
      servers: [
        { name: 'v1', port: 1003, weight: 90 },
        { name: 'v2', port: 1004, weight: 10 },
      ],
    };
    const off = renderHaproxyConfig(spec);
    assert.match(off, /server v1 127\.0\.0\.1:1003 weight 90/);
    assert.match(off, /server v2 127\.0\.0\.1:1004 weight 10/);
    assert.match(off, /option httpchk GET \/ping/);
    assert.match(off, /use-service prometheus-exporter/);
    assert.match(off, /stats socket \/tmp\/d\/admin\.sock/);
    assert.doesNotMatch(off, /req\.body/);
    const on = renderHaproxyConfig({ ...spec, sampleRate: 0.25 });
    assert.match(on, /rand\(1000000\) lt 250000/);
    assert.match(on, /set-var\(txn\.rq\) req\.body,base64/);
  });

  it('reads Prometheus text samples with their labels', () => {
    const s = parsePrometheusText(
      '# HELP x\nhaproxy_server_http_responses_total{proxy="models",server="v1",code="2xx"} 42\nplain 3\nh_bucket{le="+Inf"} 7\n',
    );
    assert.deepEqual(s[0], {
      name: 'haproxy_server_http_responses_total',
      labels: { proxy: 'models', server: 'v1', code: '2xx' },
      value: 42,
    });
    assert.deepEqual(s[1], { name: 'plain', labels: {}, value: 3 });
    assert.equal(s[2]!.labels.le, '+Inf');
  });
});
