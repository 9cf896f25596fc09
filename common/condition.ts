/**
 * `when` conditions: `"<ref> <op> <literal>"`, where ref is `params.<name>`,
 * `<step>.metrics.<name>` or `<step>.alarm`, op is one of == != < <= > >=, and the literal is
 * a number, true/false, or a (quoted) string. Parsed once at validation, evaluated in the workflow.
 */

export type ConditionRef =
  { kind: 'param'; name: string } | { kind: 'metric'; step: string; name: string } | { kind: 'alarm'; step: string };
export type ConditionOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export interface Condition {
  source: string;
  ref: ConditionRef;
  op: ConditionOp;
  value: number | boolean | string;
}

const PATTERN = /^\s*([A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*){1,2})\s*(==|!=|<=|>=|<|>)\s*(.+?)\s*$/;

export function parseCondition(source: string): Condition | string {
  const m = PATTERN.exec(source);
  if (!m)
    return `"${source}" is not a condition; write e.g. "evaluate.metrics.accuracy < 0.9", "params.retrain == true" or "drift.alarm == true"`;
  const [, path, op, literal] = m as unknown as [string, string, ConditionOp, string];
  const parts = path.split('.');
  let ref: ConditionRef;
  if (parts[0] === 'params' && parts.length === 2) ref = { kind: 'param', name: parts[1]! };
  else if (parts.length === 3 && parts[1] === 'metrics') ref = { kind: 'metric', step: parts[0]!, name: parts[2]! };
  else if (parts.length === 2 && parts[1] === 'alarm') ref = { kind: 'alarm', step: parts[0]! };
  else
    return `"${path}" is not something a condition can read; use params.<name>, <step>.metrics.<name> or <step>.alarm`;
  let value: number | boolean | string;
  if (/^(true|false)$/.test(literal)) value = literal === 'true';
  else if (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(literal)) value = Number(literal);
  else value = literal.replace(/^(['"])(.*)\1$/, '$2');
  return { source, ref, op, value };
}

/** The values a condition can read once its upstream steps are done. */
export interface ConditionScope {
  params: Record<string, unknown>;
  metrics(step: string): Record<string, number> | undefined;
  alarm(step: string): boolean | undefined;
}

/** Evaluates a condition; a value that is missing makes it false, with the reason. */
export function evaluateCondition(c: Condition, scope: ConditionScope): { holds: boolean; reason: string } {
  let actual: unknown;
  if (c.ref.kind === 'param') actual = scope.params[c.ref.name];
  else if (c.ref.kind === 'metric') actual = scope.metrics(c.ref.step)?.[c.ref.name];
  else actual = scope.alarm(c.ref.step);
  if (actual === undefined) return { holds: false, reason: `${c.source}: the value is missing` };
  const a = actual as number | string | boolean;
  const v = c.value;
  const holds =
    c.op === '=='
      ? a === v || String(a) === String(v)
      : c.op === '!='
        ? !(a === v || String(a) === String(v))
        : c.op === '<'
          ? Number(a) < Number(v)
          : c.op === '<='
            ? Number(a) <= Number(v)
            : c.op === '>'
              ? Number(a) > Number(v)
              : Number(a) >= Number(v);
  return { holds, reason: `${c.source} (actual ${JSON.stringify(a)})` };
}
