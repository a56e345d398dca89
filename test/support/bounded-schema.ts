// The widest answer a bounded JSON Schema admits, built from the schema alone, and whether a value conforms to it: the
// checks of every bounded answer schema (tasks/answer-schema.ts) against a local model's output budget.
export type Schema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  prefixItems?: Schema[];
  maxItems?: number;
  minItems?: number;
  maxLength?: number;
  enum?: string[];
  const?: string;
  oneOf?: Schema[];
};

/**
 * The longest answer `schema` admits, built from the schema alone: every array full, every string at its maxLength,
 * written by `fill` (its length in characters, as the grammar counts them: code points).
 */
export function widestValue(schema: Schema, fill: (length: number) => string): unknown {
  const widest = (s: Schema): unknown => {
    if (s.oneOf) return widest(s.oneOf.find((o) => o.type === 'string') ?? s.oneOf[0]!);
    if (s.const !== undefined) return s.const;
    if (s.enum) return s.enum.reduce((a, b) => (b.length > a.length ? b : a));
    if (s.prefixItems) return s.prefixItems.map(widest);
    if (s.type === 'string') return fill(s.maxLength!);
    if (s.type === 'array') return Array.from({ length: s.maxItems! }, () => widest(s.items!));
    if (s.type === 'object') return Object.fromEntries(Object.entries(s.properties!).map(([k, p]) => [k, widest(p)]));
    throw new Error(`unbounded: ${JSON.stringify(s)}`);
  };
  return widest(schema);
}

/**
 * The longest answer `schema` admits as the grammar may write it, in its widest layout: every string full of 4-byte
 * characters (the grammar allows no \u escape, so a character is at most 4 bytes of UTF-8), an empty array padded
 * with a newline and indent inside, then the four-newline stop trigger.
 */
export function widestText(schema: Schema): string {
  const json = JSON.stringify(
    widestValue(schema, (length) => '\u{1F600}'.repeat(length)),
    null,
    4,
  );
  const empty = (json.match(/\[\]/g) ?? []).length;
  return json + ' '.repeat(24 * empty) + '\n'.repeat(4);
}

/** Whether `value` is what `schema` admits (the subset the part schemas use): shapes, counts, lengths. */
export function conforms(schema: Schema, value: unknown): boolean {
  if (schema.oneOf) return schema.oneOf.some((s) => conforms(s, value));
  if (schema.const !== undefined) return value === schema.const;
  if (schema.enum) return schema.enum.includes(value as string);
  if (schema.prefixItems)
    return (
      Array.isArray(value) &&
      value.length === schema.prefixItems.length &&
      value.every((v, i) => conforms(schema.prefixItems![i]!, v))
    );
  if (schema.type === 'null') return value === null;
  if (schema.type === 'string')
    return typeof value === 'string' && (schema.maxLength === undefined || [...value].length <= schema.maxLength);
  if (schema.type === 'array')
    return (
      Array.isArray(value) &&
      value.length <= (schema.maxItems ?? Infinity) &&
      value.length >= (schema.minItems ?? 0) &&
      value.every((v) => conforms(schema.items!, v))
    );
  if (schema.type === 'object') {
    if (typeof value !== 'object' || value === null) return false;
    const keys = Object.keys(value);
    const properties = schema.properties!;
    return (
      keys.every((k) => k in properties) &&
      schema.required!.every((k) => k in value) &&
      keys.every((k) => conforms(properties[k]!, (value as Record<string, unknown>)[k]))
    );
  }
  return false;
}

/** The bytes of widestText: the most tokens its answer can be, a token carrying at least one byte. */
export function widestBytes(schema: Schema): number {
  return Buffer.byteLength(widestText(schema), 'utf8');
}
