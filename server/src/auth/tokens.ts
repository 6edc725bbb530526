import { createHash, randomBytes } from 'node:crypto';
import { SESSION_COOKIE } from '@parley/protocol';

/** 256 random bits: far beyond guessing, and only its hash is ever stored. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The bearer token from an Authorization header, else the session cookie (`cookies` already parsed). */
export function tokenFrom(authorization: string | undefined, cookies: Record<string, string | undefined>): string | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (bearer) return bearer[1]!;
  return cookies[SESSION_COOKIE] || null;
}
