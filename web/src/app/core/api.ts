import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import type {
  AccountDeleteInput,
  AuthResponse,
  BlocksResponse,
  LoginInput,
  MeResponse,
  PasswordChangeInput,
  ProfileUpdateInput,
  RegisterInput,
  SessionsResponse,
  UsersQuery,
  UsersResponse,
} from '@parley/protocol';

/** The HTTP API. The browser keeps the session in an httpOnly cookie, so no token is handled here. */
@Injectable({ providedIn: 'root' })
export class Api {
  private readonly http = inject(HttpClient);

  register(input: RegisterInput): Promise<AuthResponse> {
    return firstValueFrom(this.http.post<AuthResponse>('/api/auth/register', input));
  }

  login(input: LoginInput): Promise<AuthResponse> {
    return firstValueFrom(this.http.post<AuthResponse>('/api/auth/login', input));
  }

  logout(): Promise<unknown> {
    return firstValueFrom(this.http.post('/api/auth/logout', null));
  }

  me(): Promise<MeResponse> {
    return firstValueFrom(this.http.get<MeResponse>('/api/me'));
  }

  /** A new first and last name; everyone's devices hear of it (`user:updated`). */
  updateProfile(input: ProfileUpdateInput): Promise<MeResponse> {
    return firstValueFrom(this.http.patch<MeResponse>('/api/me', input));
  }

  /** A new password; every other session of mine ends, this one stays. */
  changePassword(input: PasswordChangeInput): Promise<unknown> {
    return firstValueFrom(this.http.post('/api/me/password', input));
  }

  /** Deletes my account; the server clears the session cookie. */
  deleteAccount(input: AccountDeleteInput): Promise<unknown> {
    return firstValueFrom(this.http.delete('/api/me', { body: input }));
  }

  /** My live sessions, newest first. */
  sessions(): Promise<SessionsResponse> {
    return firstValueFrom(this.http.get<SessionsResponse>('/api/me/sessions'));
  }

  /** Ends one of my sessions (this one included): its sockets are disconnected. */
  revokeSession(sessionId: number): Promise<unknown> {
    return firstValueFrom(this.http.delete(`/api/me/sessions/${sessionId}`));
  }

  /** The people I blocked, most recently blocked first. */
  blocks(): Promise<BlocksResponse> {
    return firstValueFrom(this.http.get<BlocksResponse>('/api/me/blocks'));
  }

  /** One page of the directory. */
  users(query: UsersQuery): Promise<UsersResponse> {
    const params = new HttpParams({ fromObject: Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)) as Record<string, string | number> });
    return firstValueFrom(this.http.get<UsersResponse>('/api/users', { params }));
  }
}
