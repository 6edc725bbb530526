/** Rules about text that clients and server share, with no schema library: the web client's first screen needs them. */

export const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

/**
 * Characters a name must not hold: controls (Cc), format characters (Cf: the bidi embeddings, overrides and
 * isolates U+202A–202E and U+2066–2069, the marks U+200E/200F, zero-width U+200B–200D, U+2060, U+FEFF, tag
 * characters…), lone surrogates (Cs), and the line and paragraph separators U+2028/2029. A bidi override makes
 * "invoice_\u202Efdp.exe" read "invoice_exe.pdf"; the invisible ones make two names that look alike differ.
 */
const HIDDEN_IN_NAMES = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/**
 * A zero-width joiner between two emoji (with an optional skin tone or emoji presentation selector on the
 * first) only glues them into one picture, as in 👩‍💻 or 👨‍👩‍👧: it can neither hide nor reorder text, so
 * such names stay allowed. Any other ZWJ is refused with the rest of the format characters.
 */
const EMOJI_ZWJ = /(?<=\p{Extended_Pictographic}[\u{1F3FB}-\u{1F3FF}\u{FE0F}]?)\u200D(?=\p{Extended_Pictographic})/gu;

/** Whether a name holds a character that is invisible or changes how the text around it is drawn. */
export function hasHiddenCharacters(name: string): boolean {
  return HIDDEN_IN_NAMES.test(name.replace(EMOJI_ZWJ, ''));
}

export const HIDDEN_CHARACTERS_MESSAGE =
  'must not contain control or invisible formatting characters (such as bidi overrides or zero-width spaces)';

/**
 * What draws nothing on its own: white space and other separators (Z), controls (Cc), format characters (Cf:
 * zero-width spaces and joiners, bidi marks…), combining marks with nothing to combine with (M), the other
 * default-ignorable code points (Hangul fillers, variation selectors…), and the blank Braille pattern U+2800,
 * which fonts draw as a space.
 */
const INVISIBLE = /^[\p{White_Space}\p{Z}\p{Cc}\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

/** Whether a text would show nothing at all: a message made only of such characters is blank. */
export function isInvisible(text: string): boolean {
  return INVISIBLE.test(text);
}

// Made on first use, not when the module loads: making one loads ICU's break rules, about 40 ms of a browser's
// start (160 ms on a phone), and only a reaction needs it.
let graphemes: Intl.Segmenter | undefined;

/**
 * Whether a text is one reaction: a single grapheme cluster (an emoji with its skin tone, a flag, a keycap, a family
 * joined by ZWJs, or any one character) of at most `maxBytes` UTF-8 bytes, that shows something and hides nothing
 * (no white space, controls, bidi or zero-width characters but the ZWJ between emoji).
 */
export function isOneReaction(text: string, maxBytes: number): boolean {
  if (text === '' || utf8Bytes(text) > maxBytes || isInvisible(text) || hasHiddenCharacters(text)) return false;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const iterator = graphemes.segment(text)[Symbol.iterator]();
  iterator.next();
  return iterator.next().done === true;
}
