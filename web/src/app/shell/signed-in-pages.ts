/**
 * The pages of someone signed in, fetched as one chunk: they share most of their code (the connection and the stores
 * it feeds). Apart, that shared code would be a chunk of its own, fetched only once the main page's had come: one more
 * round trip before the Chats list shows. The settings page adds about 5 KB (brotli) to it.
 */
export { MainPage } from './main-page';
export { SettingsPage } from '../settings/settings-page';
