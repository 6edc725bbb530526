import type { Injector } from '@angular/core';
import { DesktopNotifications } from '../notifications/desktop-notifications';
import { SidebarViewStore } from './sidebar-view';
import { SignedIn } from './signed-in';

/**
 * The pages of someone signed in, fetched as one chunk: they share most of their code (the connection and the stores
 * it feeds). Apart, that shared code would be a chunk of its own, fetched only once the main page's had come: one more
 * round trip before the Chats list shows. The settings page adds about 5 KB (brotli) to it.
 */
export { MainPage } from './main-page';
export { SettingsPage } from '../settings/settings-page';

/**
 * Makes the services the main page starts with (the connection and the stores, which SignedIn makes, the desktop
 * notifications, the sidebar's view), for the router to do in a task before the page's own: made by the page, they
 * would lengthen the one task that draws it by about as much again on a slow phone.
 */
export function makeMainPageServices(injector: Injector): void {
  injector.get(SignedIn);
  injector.get(DesktopNotifications);
  injector.get(SidebarViewStore);
}
