import {
  inject,
  provideAppInitializer,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
  type ApplicationConfig,
} from '@angular/core';
import { provideHttpClient, withFetch } from '@angular/common/http';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { fetchSignedInPages, routes } from './app.routes';
import { SessionHint } from './core/session-hint';
import { SessionStore } from './core/session.store';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZonelessChangeDetection(),
    provideHttpClient(withFetch()),
    provideRouter(routes, withComponentInputBinding()),
    // Learn whether the session cookie is still valid before the first route is chosen. Someone who has signed in
    // most likely lands on the main page: its code comes while the server is asked, not after the answer.
    provideAppInitializer(() => {
      if (inject(SessionHint).present()) void fetchSignedInPages().catch(() => undefined);
      return inject(SessionStore).restore();
    }),
  ],
};
