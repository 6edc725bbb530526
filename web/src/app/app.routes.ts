import type { Routes } from '@angular/router';
import { AuthPage } from './auth/auth-page';
import { anonymousOnly, authenticated } from './core/auth.guards';

/**
 * The main page's code, and the settings page's with it (see signed-in-pages.ts). A module is fetched once: asking
 * early (see app.config.ts) and routing share the fetch.
 */
export const loadMainPage = () =>
  import('./shell/signed-in-pages').then(async (m) => {
    // A task of its own for making the page: the app's start and the page's first render are each long on a slow
    // phone, and one after the other in one task they would hold it twice as long without a break.
    await new Promise((resolve) => setTimeout(resolve));
    return m.MainPage;
  });

/**
 * The log-in and sign-up page comes with the first load: it is what a new visitor waits for, and it is small.
 * The main page, and what only it needs (the socket, the chat), is loaded once someone is in.
 */
export const routes: Routes = [
  {
    path: '',
    canActivate: [authenticated],
    loadComponent: loadMainPage,
    title: 'Parley',
  },
  {
    path: 'settings',
    canActivate: [authenticated],
    loadComponent: () => import('./shell/signed-in-pages').then((m) => m.SettingsPage),
    title: 'Settings · Parley',
  },
  {
    path: 'login',
    canActivate: [anonymousOnly],
    component: AuthPage,
    data: { mode: 'login' },
    title: 'Log in · Parley',
  },
  {
    path: 'signup',
    canActivate: [anonymousOnly],
    component: AuthPage,
    data: { mode: 'signup' },
    title: 'Sign up · Parley',
  },
  { path: '**', redirectTo: '' },
];
