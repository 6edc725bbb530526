import type { Routes } from '@angular/router';
import { anonymousOnly, authenticated } from './core/auth.guards';

export const routes: Routes = [
  {
    path: '',
    canActivate: [authenticated],
    loadComponent: () => import('./shell/main-page').then((m) => m.MainPage),
    title: 'Parley',
  },
  {
    path: 'login',
    canActivate: [anonymousOnly],
    loadComponent: () => import('./auth/auth-page').then((m) => m.AuthPage),
    data: { mode: 'login' },
    title: 'Log in · Parley',
  },
  {
    path: 'signup',
    canActivate: [anonymousOnly],
    loadComponent: () => import('./auth/auth-page').then((m) => m.AuthPage),
    data: { mode: 'signup' },
    title: 'Sign up · Parley',
  },
  { path: '**', redirectTo: '' },
];
