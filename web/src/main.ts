import { bootstrapApplication } from '@angular/platform-browser';
import { config as zodConfig } from 'zod/mini';
import { App } from './app/app';
import { appConfig } from './app/app.config';

// zod compiles a fast parser with `new Function` where it may: the page's CSP forbids eval (script-src 'self'), and
// even zod's probe for it is reported as a violation. The forms here are small; the plain parser is fast enough.
zodConfig({ jitless: true });

bootstrapApplication(App, appConfig).catch((error: unknown) => console.error(error));
