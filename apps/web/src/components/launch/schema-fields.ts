/**
 * Turns a zod object schema into a list of form fields, so the launch form follows the run config
 * schema as it changes: every hyper-parameter the trainer accepts is editable, with its default.
 */
import { z, type ZodTypeAny } from 'zod';

export type FieldSpec =
  | { kind: 'number'; path: string[]; integer: boolean; optional: boolean; description?: string; defaultValue?: unknown }
  | { kind: 'text'; path: string[]; optional: boolean; description?: string; defaultValue?: unknown }
  | { kind: 'enum'; path: string[]; options: string[]; optional: boolean; description?: string; defaultValue?: unknown }
  | { kind: 'boolean'; path: string[]; optional: boolean; description?: string; defaultValue?: unknown }
  /** Arrays, unions and other structured values are edited as JSON. */
  | { kind: 'json'; path: string[]; optional: boolean; description?: string; defaultValue?: unknown }
  | { kind: 'group'; path: string[]; fields: FieldSpec[]; description?: string };

interface Unwrapped {
  inner: ZodTypeAny;
  optional: boolean;
  defaultValue?: unknown;
  description?: string;
}

function unwrap(schema: ZodTypeAny): Unwrapped {
  let inner = schema;
  let optional = false;
  let defaultValue: unknown;
  const description = schema.description;
  for (;;) {
    if (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) {
      optional = true;
      inner = inner.unwrap() as ZodTypeAny;
    } else if (inner instanceof z.ZodDefault) {
      defaultValue = inner._def.defaultValue();
      inner = inner._def.innerType as ZodTypeAny;
    } else if (inner instanceof z.ZodEffects) {
      inner = inner.innerType() as ZodTypeAny;
    } else break;
  }
  return { inner, optional, defaultValue, description: description ?? inner.description };
}

export function fieldsOf(schema: z.AnyZodObject, prefix: string[] = []): FieldSpec[] {
  const out: FieldSpec[] = [];
  for (const [key, value] of Object.entries(schema.shape as Record<string, ZodTypeAny>)) {
    const path = [...prefix, key];
    const { inner, optional, defaultValue, description } = unwrap(value);
    const common = { path, optional, description, defaultValue };
    if (inner instanceof z.ZodNumber) out.push({ kind: 'number', integer: inner.isInt, ...common });
    else if (inner instanceof z.ZodString) out.push({ kind: 'text', ...common });
    else if (inner instanceof z.ZodEnum) out.push({ kind: 'enum', options: [...(inner.options as string[])], ...common });
    else if (inner instanceof z.ZodBoolean) out.push({ kind: 'boolean', ...common });
    else if (inner instanceof z.ZodObject && !optional) out.push({ kind: 'group', path, fields: fieldsOf(inner, path), description });
    else out.push({ kind: 'json', ...common });
  }
  return out;
}

/** Reads `obj[path[0]][path[1]]...`, undefined where any step is missing. */
export function getAt(obj: unknown, path: string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Returns a copy of `obj` with `path` set to `value` (removed when value is undefined). */
export function setAt(obj: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return obj;
  const copy: Record<string, unknown> = { ...obj };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  const child = copy[head];
  copy[head] = setAt(child !== null && typeof child === 'object' ? (child as Record<string, unknown>) : {}, rest, value);
  return copy;
}

/** Field errors keyed by dotted path, from zod issues. */
export function issuesByPath(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '(root)';
    (out[key] ??= []).push(issue.message);
  }
  return out;
}
