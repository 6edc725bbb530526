import { bootstrapApplication } from '@angular/platform-browser';
import { config as zodConfig } from 'zod/mini';
import { App } from './app/app';
import { appConfig } from './app/app.config';

// zod compiles a fast parser with `new Function` where it may: the page's CSP forbids eval (script-src 'self'), and
// even zod's probe for it is reported as a violation. The forms here are small; the plain parser is fast enough.
zodConfig({ jitless: true });

// The page's frame is already on screen (index.html): starting the app in a task of its own, after the one that ran
// these modules, keeps each of the two short enough not to hold up a tap on a slow phone.
setTimeout(() => bootstrapApplication(App, appConfig).catch((error: unknown) => console.error(error)));
