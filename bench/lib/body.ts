/**
 * The header a load generator puts at the start of every chat message body, and reads back from every
 * `message:new`: `B<step>|<phase>|<send time>|<worker>.<n>|`, then filler.
 *
 * - the send time is `performance.timeOrigin + performance.now()` at the sender's emit, in ms with three
 *   decimals, so that any process on this machine can compute a delivery's latency;
 * - the phase is `m` (measured) or `w` (warm-up): only measured messages are counted;
 * - `<worker>.<n>` names the message: the sending process and the message's number among that process's
 *   measured messages of the step. Receivers count deliveries per message, so that the bench can tell
 *   which acknowledged messages reached every member in time.
 *
 * Only ASCII letters, digits, `|`, `.` and spaces: the body needs no escaping in JSON, so the light
 * generator can write it into a frame as it is and read it back from the frame's bytes.
 */

export interface BodyHeader {
  step: number;
  measured: boolean;
  sentAt: number;
  worker: number;
  n: number;
}

export function bodyHeader(step: number, measured: boolean, sentAt: number, worker: number, n: number): string {
  return `B${step}|${measured ? 'm' : 'w'}|${sentAt.toFixed(3)}|${worker}.${n}|`;
}

/** Characters a header spans once it is found: enough for any step, time and message number. */
export const HEADER_MAX_CHARS = 64;

/** Filler after the header, `chars` long, made of characters that need no escaping in JSON. */
export function padding(chars: number): string {
  return ' lorem ipsum dolor sit amet'.repeat(Math.ceil(chars / 27)).slice(0, chars);
}

/** Reads the header at the start of `text` (a body, or a slice of one); null when it carries none. */
export function parseBodyHeader(text: string): BodyHeader | null {
  if (text.charCodeAt(0) !== 66 /* B */) return null;
  const a = text.indexOf('|');
  const b = text.indexOf('|', a + 1);
  const c = text.indexOf('|', b + 1);
  const dot = text.indexOf('.', c + 1);
  const d = text.indexOf('|', dot + 1);
  if (a < 0 || b < 0 || c < 0 || dot < 0 || d < 0) return null;
  return {
    step: Number(text.slice(1, a)),
    measured: text.charCodeAt(a + 1) === 109 /* m */,
    sentAt: Number(text.slice(b + 1, c)),
    worker: Number(text.slice(c + 1, dot)),
    n: Number(text.slice(dot + 1, d)),
  };
}
