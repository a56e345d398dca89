// What a writer types in a number field, read without guessing: digits with an optional dollar sign, thousands
// separators ("1,250.00") or a decimal comma ("12,50"). Text that could mean two numbers ("1,250": 1250, or 1.25 where
// a comma marks decimals; "1.000": 1, or 1000 where a dot groups thousands) is refused with both readings, because a
// budget read 1,000 times off is worse than a question. Exponents, hex and words are refused too: Number() would take
// "1e3" as 1000.

export type NumberText = { ok: true; value: number | null } | { ok: false; message: string };

const PLAIN = /^-?\d+(\.\d+)?$/;
const GROUPED = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/;
const DECIMAL_COMMA = /^-?\d+,\d+$/;
/** "1.000", "12.500": three decimals, or a thousands dot as much of Europe writes it. */
const DOT_GROUP = /^-?[1-9]\d{0,2}\.\d{3}$/;

/** What an amount field says when the text is not an amount (the budget, an app's cap). */
export const NOT_USD = 'Enter an amount in US dollars, like 5 or 12.50';

/**
 * `amount`: a sum of money the writer types (a budget, a cap), where "1.000" may be a thousand. Not a price per million
 * tokens: price pages write "$1.250", and a thousand dollars per million tokens is no price.
 */
export function readNumber(
  text: string,
  options: { decimal: boolean; invalid?: string | undefined; amount?: boolean | undefined },
): NumberText {
  const typed = text.trim().replace(/^\$\s*/, '');
  if (typed === '') return { ok: true, value: null };
  const invalid = {
    ok: false as const,
    message: options.invalid ?? (options.decimal ? 'Enter a number, like 0.25' : 'Enter a whole number, like 4'),
  };
  let digits: string;
  if (options.decimal && options.amount && DOT_GROUP.test(typed)) {
    const whole = typed.replace('.', '');
    const decimal = String(Number(typed));
    return {
      ok: false,
      message: `"${typed}" could mean ${whole} or ${decimal}: type ${whole} or ${decimal}, without the dot.`,
    };
  }
  if (PLAIN.test(typed)) digits = typed;
  else if (GROUPED.test(typed)) {
    // One group and no decimals ("1,250") is also how a decimal comma writes 1.25.
    if (options.decimal && !typed.includes('.') && typed.split(',').length === 2) {
      const whole = typed.replace(',', '');
      // Written without trailing zeros ("1", not "1.000"): an amount's "1.000" is itself asked about.
      const decimal = String(Number(typed.replace(',', '.')));
      return {
        ok: false,
        message: `"${typed}" could mean ${whole} or ${decimal}: type ${whole} or ${decimal}, without the comma.`,
      };
    }
    digits = typed.replace(/,/g, '');
  } else if (options.decimal && DECIMAL_COMMA.test(typed)) digits = typed.replace(',', '.');
  else return invalid;
  if (!options.decimal && digits.includes('.')) return invalid;
  return { ok: true, value: Number(digits) };
}

/** A sum of US dollars the writer types (an app's cap), read as the budget is. */
export function readUsd(text: string): NumberText {
  return readNumber(text, { decimal: true, invalid: NOT_USD, amount: true });
}
