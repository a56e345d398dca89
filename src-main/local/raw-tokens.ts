// Tokens llama.cpp may match in a text's raw characters before its tokenizer runs (tokenizer_st_partition): a text
// holding one is cut into fragments around it, which the JavaScript counters (spm-count.ts, llama3-count.ts) do not
// follow, so such a text is counted natively. With special tokens not parsed, llama.cpp matches the user-defined
// ones, and some control tokens it makes user-defined by name: every token that is neither normal nor a byte is
// taken as matched here (more texts go native, never a wrong count).

const TOKEN_NORMAL = 1;
const TOKEN_BYTE = 6;

/** Whether text[start, end) holds a token llama.cpp may match raw, from the GGUF's tokens and their types. */
export function rawTokenFinder(
  tokens: readonly string[],
  types: readonly unknown[],
): (text: string, start: number, end: number) => boolean {
  const byFirstUnit = new Map<number, string[]>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (types[i] === TOKEN_NORMAL || types[i] === TOKEN_BYTE || token === '') continue;
    const first = token.charCodeAt(0);
    const list = byFirstUnit.get(first);
    if (list) list.push(token);
    else byFirstUnit.set(first, [token]);
  }
  const starts = new Uint8Array(0x10000);
  for (const unit of byFirstUnit.keys()) starts[unit] = 1;
  return (text, start, end) => {
    for (let i = start; i < end; i++) {
      if (starts[text.charCodeAt(i)] === 0) continue;
      for (const token of byFirstUnit.get(text.charCodeAt(i))!)
        if (i + token.length <= end && text.startsWith(token, i)) return true;
    }
    return false;
  };
}
