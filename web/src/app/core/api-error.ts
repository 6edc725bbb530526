import { HttpErrorResponse } from '@angular/common/http';
import type { ErrorBody } from '@parley/protocol';

/** Any failure of an API call, as the protocol's error body, so forms can show it beside the right field. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof HttpErrorResponse) {
    const body = error.error as { error?: ErrorBody } | null;
    if (body?.error?.code) return body.error;
    if (error.status === 0) return { code: 'internal', message: 'Cannot reach the server. Check your connection.' };
  }
  return { code: 'internal', message: 'Something went wrong. Please try again.' };
}
