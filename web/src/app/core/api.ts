import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import type { AuthResponse, LoginInput, MeResponse, RegisterInput, UsersQuery, UsersResponse } from '@parley/protocol';

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

  /** One page of the directory. */
  users(query: UsersQuery): Promise<UsersResponse> {
    const params = new HttpParams({ fromObject: Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)) as Record<string, string | number> });
    return firstValueFrom(this.http.get<UsersResponse>('/api/users', { params }));
  }
}
