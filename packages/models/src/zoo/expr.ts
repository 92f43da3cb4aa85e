/**
 * upstream `parse_model` runs `eval()` on string arguments (`'na * (nc + 5)'`, `'nc'`, `'anchors'`, `'None'`)
 * and keeps the string when that fails (`'nearest'`). This is the safe subset: numbers, the names given,
 * None/True/False, + − * / // and parentheses.
 */
export type ExprValue = number | boolean | null | unknown[];

export function evaluateArg(text: string, names: Record<string, ExprValue>): ExprValue | string {
  try {
    return new Parser(text, names).parse();
  } catch {
    return text;
  }
}

class Parser {
  private pos = 0;
  private readonly tokens: string[];
  constructor(
    text: string,
    private readonly names: Record<string, ExprValue>,
  ) {
    this.tokens = text.match(/\d+\.?\d*(?:e[+-]?\d+)?|\/\/|[A-Za-z_]\w*|[-+*/()]|\S/g) ?? [];
  }

  parse(): ExprValue {
    const v = this.sum();
    if (this.pos !== this.tokens.length) throw new Error('trailing input');
    return v;
  }

  private sum(): ExprValue {
    let v = this.product();
    while (this.peek() === '+' || this.peek() === '-') {
      const op = this.tokens[this.pos++];
      const r = num(this.product());
      v = op === '+' ? num(v) + r : num(v) - r;
    }
    return v;
  }

  private product(): ExprValue {
    let v = this.unary();
    while (this.peek() === '*' || this.peek() === '/' || this.peek() === '//') {
      const op = this.tokens[this.pos++];
      const r = num(this.unary());
      v = op === '*' ? num(v) * r : op === '/' ? num(v) / r : Math.floor(num(v) / r);
    }
    return v;
  }

  private unary(): ExprValue {
    if (this.peek() === '-') {
      this.pos++;
      return -num(this.unary());
    }
    return this.atom();
  }

  private atom(): ExprValue {
    const t = this.tokens[this.pos++];
    if (t === undefined) throw new Error('unexpected end');
    if (t === '(') {
      const v = this.sum();
      if (this.tokens[this.pos++] !== ')') throw new Error('missing )');
      return v;
    }
    if (/^\d/.test(t)) return Number(t);
    if (t === 'None') return null;
    if (t === 'True') return true;
    if (t === 'False') return false;
    if (Object.hasOwn(this.names, t)) return this.names[t];
    throw new Error(`unknown name ${t}`);
  }

  private peek(): string | undefined {
    return this.tokens[this.pos];
  }
}

function num(v: ExprValue): number {
  if (typeof v !== 'number') throw new Error('not a number');
  return v;
}
