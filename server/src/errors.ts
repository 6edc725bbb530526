import type { ErrorBody, ErrorCode } from '@parley/protocol';

/** A domain error: what went wrong, in a code clients can act on and a message people can read. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

const HTTP_STATUS: Record<ErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid: 400,
  bad_password: 403,
  rate_limited: 429,
  conflict: 409,
  overloaded: 503,
  internal: 500,
};

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

/** The one mapping from any thrown value to what a client may see: internal errors never leak their text. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof AppError) {
    return error.fields
      ? { code: error.code, message: error.message, fields: error.fields }
      : { code: error.code, message: error.message };
  }
  return { code: 'internal', message: 'Something went wrong on our side.' };
}
