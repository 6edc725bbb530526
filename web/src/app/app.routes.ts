import { Injector, inject } from '@angular/core';
import type { Routes } from '@angular/router';
import { AuthPage } from './auth/auth-page';
import { anonymousOnly, authenticated } from './core/auth.guards';

/**
 * The code of the pages of someone signed in (see signed-in-pages.ts). A module is fetched once: asking early (see
 * app.config.ts) and routing share the fetch.
 */
export const fetchSignedInPages = () => import('./shell/signed-in-pages');

const nextTask = () => new Promise((resolve) => setTimeout(resolve));

/**
 * The main page, made in two tasks after its code has come: its services in one, the page in the next. On a slow
 * phone the app's start, the services and the page's first render each take about as long as a tap may wait; one
 * after the other in one task, they would hold it several times as long without a break.
 */
const loadMainPage = () => {
  const injector = inject(Injector);
  return fetchSignedInPages().then(async (pages) => {
    await nextTask();
    pages.makeMainPageServices(injector);
    await nextTask();
    return pages.MainPage;
  });
};

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
    loadComponent: () => fetchSignedInPages().then((pages) => pages.SettingsPage),
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
