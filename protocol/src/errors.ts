/** Stable, machine-readable error codes shared by HTTP responses and socket acks. */
export const ERROR_CODES = [
  'unauthorized',
  'forbidden',
  'not_found',
  'invalid',
  'bad_password',
  'rate_limited',
  'conflict',
  'overloaded',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Field-level messages for `invalid`, keyed by the field's path (`password`, `rooms.12`). */
  fields?: Record<string, string>;
}

/** The body of every HTTP error response. */
export interface ErrorResponse {
  error: ErrorBody;
}

/** Every socket acknowledgement is either a success carrying T, or an error. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorBody };
