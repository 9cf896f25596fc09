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

const EXAMPLES = 'write e.g. "evaluate.metrics.accuracy < 0.9", "params.retrain == true" or "drift.alarm == true"';

interface Token {
  kind: 'path' | 'op' | 'number' | 'string' | 'word' | 'bad' | 'end';
  text: string;
  /** 0-based offset in the source. */
  at: number;
}

const TOKENS: [Token['kind'], RegExp][] = [
  ['number', /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/],
  ['path', /^[A-Za-z][\w-]*(\.[A-Za-z][\w-]*)+/],
  ['word', /^[A-Za-z_][\w-]*/],
  ['string', /^("[^"]*"|'[^']*')/],
  ['op', /^(==|!=|<=|>=|<|>)/],
];

function tokenize(source: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < source.length) {
    if (/\s/.test(source[i]!)) {
      i++;
      continue;
    }
    const rest = source.slice(i);
    const hit = TOKENS.map(([kind, re]) => [kind, re.exec(rest)?.[0]] as const).find(([, m]) => m);
    const text = hit?.[1] ?? rest.split(/\s/)[0]!;
    out.push({ kind: hit ? hit[0] : 'bad', text, at: i });
    i += text.length;
  }
  out.push({ kind: 'end', text: '', at: source.length });
  return out;
}

/** "… at column 16 (`<`): …", with the column 1-based, so the position can be found in the spec. */
function syntaxError(source: string, token: Token, expected: string): string {
  const found = token.kind === 'end' ? 'the end of the condition' : `"${token.text}"`;
  return `"${source}" does not parse: at column ${token.at + 1}, expected ${expected}, found ${found}; ${EXAMPLES}`;
}

/**
 * Parses `<ref> <op> <literal>`; anything else (a second operator, a trailing `&&`, an unclosed
 * quote) is rejected with the column where it goes wrong.
 */
export function parseCondition(source: string): Condition | string {
  const tokens = tokenize(source);
  const [first, opToken, literal, end] = [tokens[0]!, tokens[1], tokens[2], tokens[3]];
  if (first.kind !== 'path') return syntaxError(source, first, 'params.<name>, <step>.metrics.<name> or <step>.alarm');
  if (!opToken || opToken.kind !== 'op')
    return syntaxError(source, opToken ?? tokens.at(-1)!, 'a comparison (==, !=, <, <=, >, >=)');
  if (!literal || !['number', 'string', 'word', 'path'].includes(literal.kind))
    return syntaxError(source, literal ?? tokens.at(-1)!, 'a number, true, false or a quoted string');
  if (end && end.kind !== 'end')
    return syntaxError(source, end, 'the end of the condition (one comparison only; `&&` and `||` are not supported)');
  const path = first.text;
  const op = opToken.text as ConditionOp;
  const parts = path.split('.');
  let ref: ConditionRef;
  if (parts[0] === 'params' && parts.length === 2) ref = { kind: 'param', name: parts[1]! };
  else if (parts.length === 3 && parts[1] === 'metrics') ref = { kind: 'metric', step: parts[0]!, name: parts[2]! };
  else if (parts.length === 2 && parts[1] === 'alarm') ref = { kind: 'alarm', step: parts[0]! };
  else
    return `"${path}" is not something a condition can read; use params.<name>, <step>.metrics.<name> or <step>.alarm`;
  let value: number | boolean | string;
  if (literal.kind === 'word' && /^(true|false)$/.test(literal.text)) value = literal.text === 'true';
  else if (literal.kind === 'number') value = Number(literal.text);
  else value = literal.text.replace(/^(['"])(.*)\1$/, '$2');
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
