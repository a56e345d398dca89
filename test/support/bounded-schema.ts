// The widest answer a bounded JSON Schema admits, built from the schema alone, and whether a value conforms to it: the
// checks of every bounded answer schema (tasks/answer-schema.ts) against a local model's output budget.
export type Schema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  maxItems?: number;
  minItems?: number;
  maxLength?: number;
  enum?: string[];
  oneOf?: Schema[];
};

/** The longest answer `schema` admits, built from the schema alone: every string full of 6-byte escapes. */
export function widestText(schema: Schema): string {
  const widest = (s: Schema): unknown => {
    if (s.oneOf) return widest(s.oneOf.find((o) => o.type === 'string') ?? s.oneOf[0]!);
    if (s.enum) return s.enum.reduce((a, b) => (b.length > a.length ? b : a));
    if (s.type === 'string') return '\u00e9'.repeat(s.maxLength!);
    if (s.type === 'array') return Array.from({ length: s.maxItems! }, () => widest(s.items!));
    if (s.type === 'object') return Object.fromEntries(Object.entries(s.properties!).map(([k, p]) => [k, widest(p)]));
    throw new Error(`unbounded: ${JSON.stringify(s)}`);
  };
  const json = JSON.stringify(widest(schema), null, 4).replaceAll('\u00e9', '\\u00e9');
  // The grammar may pad an empty array with a newline and indent inside; then its four-newline stop trigger.
  const empty = (json.match(/\[\]/g) ?? []).length;
  return json + ' '.repeat(24 * empty) + '\n'.repeat(4);
}

/** Whether `value` is what `schema` admits (the subset the part schemas use): shapes, counts, lengths. */
export function conforms(schema: Schema, value: unknown): boolean {
  if (schema.oneOf) return schema.oneOf.some((s) => conforms(s, value));
  if (schema.enum) return schema.enum.includes(value as string);
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
