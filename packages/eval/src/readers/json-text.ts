/** JSON.parse with an error that names the file, line and column. */
import { EvalInputError } from '../errors.ts';

export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8 gives a position for some errors only; find it ourselves otherwise.
    const m = /at position (\d+)/.exec(message);
    const pos = m ? Number(m[1]) : firstJsonErrorPosition(text);
    const before = text.slice(0, pos);
    const line = before.split('\n').length;
    const col = pos - before.lastIndexOf('\n');
    const problem = message.replace(/,\s*".*$/s, '').replace(/\s*in JSON at position \d+.*$/s, '').replace(/\s*at position \d+.*$/s, '');
    throw new EvalInputError(source, `line ${line}, column ${col}`, `malformed JSON: ${problem}`);
  }
}

/** Position of the first syntax error, by a minimal recursive-descent scan (only run on failure). */
export function firstJsonErrorPosition(text: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') string();
    else {
      const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) fail();
      else i += m[0].length;
    }
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  try {
    value();
    ws();
    return i < text.length ? i : text.length;
  } catch (pos) {
    return typeof pos === 'number' ? pos : 0;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A finite number or a thrown EvalInputError naming the field. */
export function finiteNumber(v: unknown, source: string, where: string, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new EvalInputError(source, where, `${field} must be a finite number, got ${JSON.stringify(v) ?? String(v)}`);
  return v;
}

/** A 4-number box array. */
export function box4(v: unknown, source: string, where: string, field = 'bbox'): [number, number, number, number] {
  if (!Array.isArray(v) || v.length !== 4) throw new EvalInputError(source, where, `${field} must be an array of 4 numbers, got ${JSON.stringify(v)}`);
  return [0, 1, 2, 3].map((i) => finiteNumber(v[i], source, where, `${field}[${i}]`)) as [number, number, number, number];
}
