// The building blocks of the vectors files' JSON schemas, and the one-line
// error a malformed file gets (the JSON pointer of the first bad field).
// Every object is closed: a field the tool does not know is an error, never
// silently skipped.
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { UsageError } from '../errors.ts';

// Decimal strings are range-checked as formats so a bad number is reported
// like any other schema error, with its path.
function decimalFormat(bits: number) {
  const max = (1n << BigInt(bits)) - 1n;
  return { type: 'string' as const, validate: (s: string) => /^(0|[1-9][0-9]*)$/.test(s) && BigInt(s) <= max };
}

export const hex = { type: 'string', pattern: '^([0-9a-fA-F]{2})*$' };
export const u8 = { type: 'integer', minimum: 0, maximum: 0xff };
export const u16 = { type: 'integer', minimum: 0, maximum: 0xffff };
export const u32 = { type: 'integer', minimum: 0, maximum: 0xffffffff };
/** Raft indexes: production's are u64; regsim's stay below 2^53. */
export const index = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };
export const text = { type: 'string' };
export const bool = { type: 'boolean' };
export const str = (format: 'u16' | 'u32' | 'u64') => ({ type: 'string', format });
export const oneOf = (values: readonly unknown[]) => ({ enum: values });
export const array = (items: unknown) => ({ type: 'array', items });

/** A closed object: `required` fields, plus `optional` ones. */
export function object(required: Record<string, unknown>, optional: Record<string, unknown> = {}) {
  return {
    type: 'object',
    required: Object.keys(required),
    properties: { ...required, ...optional },
    additionalProperties: false,
  };
}

export const row = object({ keyHex: hex, valueHex: hex });
export type Row = { keyHex: string; valueHex: string };

const ajv = new Ajv({ formats: { u16: decimalFormat(16), u32: decimalFormat(32), u64: decimalFormat(64) } });

function schemaMessage(error: ErrorObject): string {
  const where = error.instancePath || '(document)';
  const { allowedValues, additionalProperty } = error.params;
  if (typeof additionalProperty === 'string') return `vectors: ${where} has unknown field ${JSON.stringify(additionalProperty)}`;
  const what = Array.isArray(allowedValues) ? `must be one of ${allowedValues.join(', ')}` : error.message;
  return `vectors: ${where} ${what}`;
}

/** A validator that narrows a document to T or throws a one-line UsageError. */
export function validator<T>(schema: object): (doc: unknown) => T {
  const validate = ajv.compile<T>(schema);
  return (doc) => {
    if (!validate(doc)) throw new UsageError(validate.errors?.[0] ? schemaMessage(validate.errors[0]) : 'vectors: invalid');
    return doc;
  };
}
