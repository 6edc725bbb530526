import { inject } from '@angular/core';
import { Router, type CanActivateFn } from '@angular/router';
import { SessionStore } from './session.store';

export const authenticated: CanActivateFn = () =>
  inject(SessionStore).loggedIn() || inject(Router).createUrlTree(['/login']);

export const anonymousOnly: CanActivateFn = () =>
  !inject(SessionStore).loggedIn() || inject(Router).createUrlTree(['/']);
