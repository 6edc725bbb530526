import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type APIRequestContext, type BrowserContextOptions, type Locator, type Page } from '@playwright/test';
import type { AuthResponse, ClientToServerEvents, PublicUser, ServerToClientEvents } from '@parley/protocol';
import { io, type Socket } from 'socket.io-client';

export { expect };

/** Someone who uses Parley in a test. */
export interface Person {
  firstName: string;
  lastName: string;
  username: string;
  password: string;
}

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

let made = 0;
const run = Date.now().toString(36);

/**
 * A fresh person, unique across the whole run (and across runs against the same database): the last
 * name carries the same unique tag as the username, so "Chat with Ann Lee-x1" never matches anyone else.
 */
/** A laptop's window too narrow for a stage: every chat docks as a box at the bottom right, beside the sidebar. */
export const DOCKED = { width: 1100, height: 800 };

export function newPerson(firstName: string): Person {
  made += 1;
  const tag = `${run}${made}`;
  return {
    firstName,
    lastName: `Test${tag}`,
    username: `${firstName.toLowerCase()}.${tag}`.slice(0, 32),
    password: `pw-${tag}-secret`,
  };
}

/** A name no other test uses, for rooms. */
export function uniqueName(prefix: string): string {
  made += 1;
  return `${prefix} ${run}${made}`;
}

export function fullName(person: Person): string {
  return `${person.firstName} ${person.lastName}`;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `test` with `openPage()`: a page in a browser context of its own, like another person's computer. */
export const test = base.extend<{ openPage: (options?: BrowserContextOptions) => Promise<Page> }>({
  openPage: async ({ browser }, use) => {
    const contexts: Awaited<ReturnType<typeof browser.newContext>>[] = [];
    await use(async (options) => {
      const context = await browser.newContext(options);
      contexts.push(context);
      return context.newPage();
    });
    for (const context of contexts) await context.close();
  },
});

/** Signs a new person up and waits for the main screen. */
export async function signUp(page: Page, person: Person): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('First name', { exact: true }).fill(person.firstName);
  await page.getByLabel('Last name', { exact: true }).fill(person.lastName);
  await page.getByLabel('Username', { exact: true }).fill(person.username);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expectMainScreen(page);
}

/** Logs an existing person in (another device) and waits for the main screen. */
export async function logIn(page: Page, person: Person): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username', { exact: true }).fill(person.username);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expectMainScreen(page);
}

/** The main screen is up and its socket connected. */
export async function expectMainScreen(page: Page): Promise<void> {
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible();
}

/** The button for a person in the "New chat" list, if it lists them; its name ends with whether they are online. */
export function personButton(page: Page, person: Person): Locator {
  return page
    .getByRole('list', { name: 'New chat', exact: true })
    .getByRole('button', { name: new RegExp(`^Chat with ${escapeRegExp(fullName(person))} @${escapeRegExp(person.username)} \\(`) });
}

/**
 * Searches "New chat" for a person by username, as one would among many: the list shows a page at a time, by
 * username, and the search goes to the server. Returns their button once it is listed.
 */
export async function findPerson(page: Page, person: Person): Promise<Locator> {
  await showView(page, 'New chat');
  const field = page.getByLabel('Search people', { exact: true });
  // Once its answer is in, the list shows that search alone (a search already typed is already answered).
  if ((await field.inputValue()) !== person.username) {
    const searched = page.waitForResponse((response) => new URL(response.url()).searchParams.get('query') === person.username);
    await field.fill(person.username);
    await searched;
  }
  const button = personButton(page, person);
  await expect(button).toBeVisible();
  return button;
}

/** Shows one of the sidebar's views: Chats (the first), New chat or Rooms. */
export async function showView(page: Page, view: 'Chats' | 'New chat' | 'Rooms'): Promise<void> {
  const tab = page.getByRole('tab', { name: view, exact: true });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
}

/** The Chats list: every conversation of mine, most recently active first. */
export function chatsList(page: Page): Locator {
  return page.getByRole('list', { name: 'Chats', exact: true });
}

/** The row of the Chats list that opens the chat with a person; its name ends with the unread count, if any. */
export function chatRow(page: Page, person: Person): Locator {
  return chatsList(page).getByRole('button', { name: new RegExp(`^Chat with ${escapeRegExp(fullName(person))}( \\(|$)`) });
}

/** The docked chat box with a person. */
export function chatBox(page: Page, person: Person): Locator {
  return page.getByRole('region', { name: `Chat with ${fullName(person)}`, exact: true });
}

/** The docked chat box of a group room. */
export function roomBox(page: Page, name: string): Locator {
  return page.getByRole('region', { name: `Room ${name}`, exact: true });
}

/** Creates a group room through the "New room" dialog; its box opens. */
export async function createRoom(page: Page, name: string, password = ''): Promise<void> {
  await showView(page, 'Rooms');
  await page.getByRole('button', { name: 'New room', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New room' });
  await dialog.getByLabel('Room name', { exact: true }).fill(name);
  if (password) await dialog.getByLabel('Room password (optional)', { exact: true }).fill(password);
  await dialog.getByRole('button', { name: 'Create room', exact: true }).click();
  await expect(dialog).toBeHidden();
}

/** Finds the person in the "New chat" list, clicks them and waits for their chat box. */
export async function openChatWith(page: Page, person: Person): Promise<Locator> {
  await (await findPerson(page, person)).click();
  const box = chatBox(page, person);
  await expect(box).toBeVisible();
  await expect(box.getByRole('textbox', { name: 'Message', exact: true })).toBeVisible();
  return box;
}

/** Types a message into a chat box's composer and presses Enter. */
export async function sendMessage(box: Locator, text: string): Promise<void> {
  const composer = box.getByRole('textbox', { name: 'Message', exact: true });
  await composer.fill(text);
  await composer.press('Enter');
}

/**
 * The messages in a chat box whose body contains `text` (sent, sending or failed alike). The body alone: the item's
 * whole text runs on into its time, so "Line 1" sent at 6:59 read "Line 16:59 AM" and matched "Line 16".
 */
export function messagesWith(box: Locator, text: string): Locator {
  return box
    .getByRole('list')
    .getByRole('listitem')
    .filter({ has: box.page().locator('.body', { hasText: text }) });
}

/** Sends a message and waits until the server has it: no longer "Sending…" nor "Not sent". */
export async function sendAndConfirm(box: Locator, text: string): Promise<void> {
  await sendMessage(box, text);
  const message = messagesWith(box, text);
  await expect(message).toHaveCount(1);
  await expect(message.getByText(/Sending…|Not sent/)).toHaveCount(0);
}

/** Saves what the page shows as e2e/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  // Park the pointer in a corner so no row shows its hover colour by accident.
  await page.mouse.move(0, 0);
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? false, animations: 'disabled' });
  return file;
}

/** A client speaking the protocol straight, to set a scene quickly (another person's device). */
export type ProtocolClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Signs a new person up over HTTP, without a page: their user and session token. */
export async function registerByApi(request: APIRequestContext, person: Person): Promise<AuthResponse> {
  const response = await request.post('/api/auth/register', { data: person });
  expect(response.status()).toBe(201);
  return (await response.json()) as AuthResponse;
}

/** The user and session token of whoever is logged in on a page. */
export async function sessionOf(page: Page): Promise<{ user: PublicUser; token: string }> {
  const token = (await page.context().cookies()).find((cookie) => cookie.name === 'parley_session')!.value;
  const user = ((await (await page.request.get('/api/me')).json()) as { user: PublicUser }).user;
  return { user, token };
}

/** Connects a protocol client with a session token; disconnect it when done. */
export async function connectClient(baseURL: string, token: string): Promise<ProtocolClient> {
  const socket: ProtocolClient = io(baseURL, { transports: ['websocket'], auth: { token }, reconnection: false });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
  return socket;
}

/** Sends a message over the protocol and checks the server took it. */
export async function sendOver(socket: ProtocolClient, roomId: number, body: string): Promise<void> {
  const ack = await socket.timeout(5000).emitWithAck('message:send', { roomId, clientId: `e2e-${Math.random().toString(36).slice(2)}`, body });
  expect(ack, body).toMatchObject({ ok: true });
}

/** Writes one direct message over the protocol, as the person of `token`, to the person `toUserId`. */
export async function writeDirect(baseURL: string, token: string, toUserId: number, body: string): Promise<void> {
  const socket = await connectClient(baseURL, token);
  try {
    const opened = await socket.timeout(5000).emitWithAck('dm:open', { userId: toUserId });
    if (!opened.ok) throw new Error(opened.error.message);
    await sendOver(socket, opened.room.id, body);
  } finally {
    socket.disconnect();
  }
}

/**
 * A group room that the person logged in on `page` is in, with people signed up over HTTP ("others", by first
 * name) and a conversation already written, each message by one of the others or by "me". Returns the room's name.
 */
export async function seedGroupConversation(
  page: Page,
  request: APIRequestContext,
  baseURL: string,
  { room, others, messages }: { room: string; others: string[]; messages: Array<[author: string, text: string]> },
): Promise<string> {
  const { token: myToken } = await sessionOf(page);
  const people = await Promise.all(others.map((firstName) => registerByApi(request, newPerson(firstName))));
  const sockets = new Map<string, ProtocolClient>();
  try {
    for (const [index, person] of people.entries()) sockets.set(others[index]!, await connectClient(baseURL, person.token));
    sockets.set('me', await connectClient(baseURL, myToken));
    const name = uniqueName(room);
    const created = await sockets.get(others[0]!)!.timeout(5000).emitWithAck('room:create', { name });
    if (!created.ok) throw new Error(created.error.message);
    for (const [who, socket] of sockets) {
      if (who !== others[0]) expect(await socket.timeout(5000).emitWithAck('room:join', { roomId: created.room.id })).toMatchObject({ ok: true });
    }
    for (const [author, text] of messages) await sendOver(sockets.get(author)!, created.room.id, text);
    return name;
  } finally {
    for (const socket of sockets.values()) socket.disconnect();
  }
}

/**
 * axe finds nothing wrong with what the page shows: every rule it runs by default (WCAG 2.x A and AA, and its best
 * practices). Each violation is listed by rule and element, so a failure says what to fix.
 */
export async function expectAccessible(page: Page, state: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const found = violations.flatMap((violation) =>
    violation.nodes.map((node) => `${violation.id} (${violation.impact}): ${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ')}`),
  );
  expect(found, `axe on ${state}`).toEqual([]);
}
