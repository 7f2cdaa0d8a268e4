// A zod issue in words, for a file a user wrote (a profile, a baseline file): an unknown key names
// the keys known at that place and the closest one. Pure.
import type { z } from 'zod';
import { closest } from './did-you-mean';

/** The issue's message; for unknown keys, which keys are known at that path of `schema`. */
export function issueText(schema: z.core.$ZodType, i: z.core.$ZodIssue): string {
  if (i.code !== 'unrecognized_keys') return i.message;
  const known = knownKeysAt(schema, i.path);
  return i.keys
    .map((k) => {
      const guess = closest(k, known);
      return `unknown key "${k}"${guess ? `: did you mean "${guess}"?` : ''} (known here: ${known.join(', ')})`;
    })
    .join('; ');
}

/** The keys of the object schema at `path` (array indexes and record keys walk into their elements). */
export function knownKeysAt(schema: z.core.$ZodType, path: PropertyKey[]): string[] {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  const inner = (def.innerType ?? def.element ?? def.valueType ?? def.in) as z.core.$ZodType | undefined;
  if (def.type === 'object') {
    const shape = def.shape as Record<string, z.core.$ZodType>;
    if (path.length === 0) return Object.keys(shape);
    const next = shape[String(path[0])];
    return next ? knownKeysAt(next, path.slice(1)) : [];
  }
  if (def.type === 'array' || def.type === 'record') return inner ? knownKeysAt(inner, path.slice(1)) : [];
  if (def.type === 'union') {
    return [...new Set((def.options as z.core.$ZodType[]).flatMap((o) => knownKeysAt(o, path)))];
  }
  return inner ? knownKeysAt(inner, path) : [];
}
