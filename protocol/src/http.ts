import type { DirectoryUser, PublicUser } from './models.js';

/** Bodies of the HTTP API's successful responses. */
export interface AuthResponse {
  user: PublicUser;
  /** The session token: send it as `Authorization: Bearer <token>` or as the socket's `auth.token`. */
  token: string;
}

export interface MeResponse {
  user: PublicUser;
}

export interface UsersResponse {
  users: DirectoryUser[];
}

export const SESSION_COOKIE = 'parley_session';
