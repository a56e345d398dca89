// Streamed text is masked word by word: a model that echoes a key may send it split across two tokens, which no
// per-token redaction can see. The trailing run of characters a key (or its base64, percent- or JSON-escaped form)
// is made of is held back until the word ends or the stream does, then masked whole. Writers see one word of delay.
// A key the redactor knows may hold other characters (a custom endpoint's JWT has dots, some keys colons or spaces):
// what could be its start is held too, and text is never cut inside one (Redactor.secretCut).
const KEY_CHARS_AT_END = /[A-Za-z0-9_\-+/=%\\]+$/;

export class StreamRedactor {
  private pending = '';

  /** `secretCut`: where to cut `text` at or before `cut` so that no known key is split (none: `cut`). */
  constructor(
    private readonly redact: (text: string) => string,
    private readonly secretCut: (text: string, cut: number) => number = (_text, cut) => cut,
  ) {}

  /** The masked text that can be shown now ('' while a word is still arriving). */
  push(text: string): string {
    const all = this.pending + text;
    const tail = KEY_CHARS_AT_END.exec(all);
    const cut = this.secretCut(all, tail ? tail.index : all.length);
    this.pending = all.slice(cut);
    return cut === 0 ? '' : this.redact(all.slice(0, cut));
  }

  /** What is still held, masked: call when the stream ends. */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest === '' ? '' : this.redact(rest);
  }
}
