import type { DirectoryUser, PublicUser, SessionInfo } from './models.js';

/** Bodies of the HTTP API's successful responses. */
export interface AuthResponse {
  user: PublicUser;
  /** The session token: send it as `Authorization: Bearer <token>` or as the socket's `auth.token`. */
  token: string;
}

export interface MeResponse {
  user: PublicUser;
}

/** `GET /api/me/sessions`: my live sessions, newest first. */
export interface SessionsResponse {
  sessions: SessionInfo[];
}

/** `GET /api/me/blocks`: the people I blocked, most recently blocked first. */
export interface BlocksResponse {
  users: PublicUser[];
}

/** `GET /api/users`: one page of the directory. */
export interface UsersResponse {
  users: DirectoryUser[];
  /** Pass as `cursor` for the next page; null when this page is the last. */
  nextCursor: string | null;
}

export const SESSION_COOKIE = 'parley_session';

/**
 * Set and cleared with the session cookie, with the same lifetime, but readable by the page: it holds no secret,
 * only that this browser has signed in, so the web client asks `GET /api/me` only then. A visitor who never
 * signed in gets the log-in page at once, without a request that could only be refused.
 */
export const SESSION_HINT_COOKIE = 'parley_signed_in';
