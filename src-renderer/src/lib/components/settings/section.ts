// What every section of the Settings screen gets: its part of the settings, the store's refusals by field
// ("local.threads" → message), and a way to save a change to one field.
import type { Settings } from '$contract';

export interface SectionProps<K extends keyof Settings> {
  settings: Settings[K];
  errors: Record<string, string>;
  /** Resolves when the store has answered (callers that chain edits wait for it). */
  onsave: (patch: Partial<Settings[K]>, field: string) => unknown;
}

/**
 * Ties a field to its setting by name once: `<NumberField value={settings.threads} {...field('threads')} />` gets the
 * store's refusal for "local.threads" and a save of that one field. The value stays a prop of its own: Svelte then
 * passes it on only when it changes, so saving another field does not reset what the writer is typing here.
 */
export function fieldBinder<K extends keyof Settings>(section: K, props: () => SectionProps<K>) {
  return <F extends keyof Settings[K] & string>(field: F) => {
    const path = `${section}.${field}`;
    return {
      get error() {
        return props().errors[path];
      },
      // TypeScript types `{ [field]: value }` with a string key, not F: the cast restores what it is.
      onsave: (value: Settings[K][F]) => props().onsave({ [field]: value } as unknown as Partial<Settings[K]>, path),
    };
  };
}
