import type { FastifyError, FastifyInstance } from 'fastify';
import { fieldErrors, type ErrorCode, type ErrorResponse } from '@parley/protocol';
import { $ZodError, safeParse, type $ZodType } from 'zod/v4/core';
import { AppError, httpStatusOf, toErrorBody } from '../errors.js';

/** Fastify's own 4xx errors (bad JSON, body too large, wrong content type) have safe, useful messages. */
function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  return 'invalid';
}

/** The one place that turns any thrown error into an HTTP response. 5xx details are logged, never sent. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler<FastifyError | AppError | $ZodError>((error, request, reply) => {
    let status: number;
    let body: ErrorResponse;
    // zod's and zod/mini's errors alike (sign-up and log-in are validated with zod/mini).
    if (error instanceof $ZodError) {
      status = 400;
      body = { error: { code: 'invalid', message: 'Some fields are not valid.', fields: fieldErrors(error) } };
    } else if (error instanceof AppError) {
      status = httpStatusOf(error.code);
      body = { error: toErrorBody(error) };
    } else if ('statusCode' in error && error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      status = error.statusCode;
      body = { error: { code: codeForStatus(status), message: error.message } };
    } else {
      request.log.error({ err: error }, 'request failed');
      status = 500;
      body = { error: toErrorBody(error) };
    }
    return reply.code(status).send(body);
  });

}

/** Lets routes declare zod or zod/mini schemas; a failure reaches the error handler as the ZodError itself. */
export function useZodValidation(app: FastifyInstance): void {
  app.setValidatorCompiler<$ZodType>(({ schema }) => (data) => {
    const result = safeParse(schema, data);
    return result.success ? { value: result.data } : { error: result.error };
  });
}
