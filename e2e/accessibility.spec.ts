import type { Page } from '@playwright/test';
import {
  chatBox,
  chatRow,
  connectClient,
  createRoom,
  DOCKED,
  expect,
  expectAccessible,
  fullName,
  messagesWith,
  newPerson,
  registerByApi,
  roomBox,
  sendOver,
  sessionOf,
  showView,
  signUp,
  test,
  uniqueName,
  writeDirect,
  type Person,
} from './support';

const PHONE = { width: 360, height: 740 };

test('axe: the log-in and sign-up pages, empty, with their hints, and with errors', async ({ openPage }) => {
  const page = await openPage();
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Log in to Parley' })).toBeVisible();
  await expectAccessible(page, 'the log-in page');

  await page.getByLabel('Username', { exact: true }).fill('nobody-here');
  await page.getByLabel('Password', { exact: true }).fill('not a password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  await expectAccessible(page, 'the log-in page with its error');

  await page.getByRole('link', { name: 'Sign up' }).click();
  await expect(page.getByRole('heading', { name: 'Join Parley' })).toBeVisible();
  await expectAccessible(page, 'the sign-up page');

  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByLabel('First name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page, 'the sign-up page after an empty submit');
});

/**
 * Bob, over the protocol, writes to Alice and makes a protected room: Alice's main page then has a chat in its list,
 * a box that popped up, and a room that asks for a password.
 */
async function sceneWithBob(page: Page, request: Parameters<typeof registerByApi>[0], baseURL: string, alice: Person) {
  const bob = newPerson('Bob');
  const roomName = uniqueName('Locked room');
  const { user: me } = await sessionOf(page);
  const { token } = await registerByApi(request, bob);
  const socket = await connectClient(baseURL, token);
  try {
    const opened = await socket.timeout(5000).emitWithAck('dm:open', { userId: me.id });
    if (!opened.ok) throw new Error(opened.error.message);
    await sendOver(socket, opened.room.id, `Hello ${alice.firstName}, how are you?`);
    const created = await socket.timeout(5000).emitWithAck('room:create', { name: roomName, password: 'open sesame' });
    if (!created.ok) throw new Error(created.error.message);
    await sendOver(socket, created.room.id, 'Welcome to the locked room');
  } finally {
    socket.disconnect();
  }
  await expect(chatRow(page, bob)).toBeVisible();
  return { bob, roomName };
}

test('axe: the main page with chats, open and collapsed boxes, "+N", and a protected room’s password prompt', async ({
  openPage,
  request,
  baseURL,
}) => {
  const alice = newPerson('Alice');
  // Boxes docked side by side (a wider screen puts the chat one opens on its stage: see layout.spec.ts).
  const page = await openPage({ viewport: DOCKED });
  await signUp(page, alice);
  await expectAccessible(page, 'the empty main page');

  const { bob, roomName } = await sceneWithBob(page, request, baseURL!, alice);
  const withBob = chatBox(page, bob);
  await expect(messagesWith(withBob, 'how are you')).toBeVisible();
  await expectAccessible(page, 'the main page with a box open');

  await showView(page, 'Rooms');
  const joinButton = page.getByRole('button', { name: `Join room ${roomName} (password protected)`, exact: true });
  await joinButton.click();
  const password = page.getByLabel(`Password for ${roomName}`, { exact: true });
  await expect(password).toBeVisible();
  await expectAccessible(page, 'a protected room’s password prompt');
  await password.fill('wrong one');
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page, 'a protected room’s password prompt with its error');
  await password.fill('open sesame');
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  const room = roomBox(page, roomName);
  await expect(messagesWith(room, 'Welcome to the locked room')).toBeVisible();
  await expectAccessible(page, 'two boxes, one of a room');

  await withBob.getByRole('button', { name: `Collapse Chat with ${fullName(bob)}`, exact: true }).click();
  await expect(withBob.getByRole('textbox')).toBeHidden();
  await expectAccessible(page, 'a collapsed box');

  // The "New room" dialog, then a third chat, which does not fit beside the other two: one waits under "+1".
  await showView(page, 'Rooms');
  await page.getByRole('button', { name: 'New room', exact: true }).click();
  await expect(page.getByRole('dialog', { name: 'New room' })).toBeVisible();
  await expectAccessible(page, 'the "New room" dialog');
  await page.keyboard.press('Escape');
  const roomName2 = uniqueName('Open room');
  await createRoom(page, roomName2);
  await expect(roomBox(page, roomName2)).toBeVisible();
  const more = page.getByRole('button', { name: '1 more open chat', exact: true });
  await more.click();
  await expect(page.getByRole('list', { name: 'More open chats' })).toBeVisible();
  await expectAccessible(page, 'the "+1" menu');
});

test('axe: the phone layout, the main page, a box over it open and collapsed, and the banner', async ({ openPage, request, baseURL }) => {
  const alice = newPerson('Alice');
  const page = await openPage({ viewport: PHONE });
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Log in to Parley' })).toBeVisible();
  await expectAccessible(page, 'the log-in page on a phone');
  await page.goto('/signup');
  await expect(page.getByRole('heading', { name: 'Join Parley' })).toBeVisible();
  await expectAccessible(page, 'the sign-up page on a phone');
  await signUp(page, alice);
  await expectAccessible(page, 'the main page on a phone');

  const { bob } = await sceneWithBob(page, request, baseURL!, alice);
  const withBob = chatBox(page, bob);
  await expect(messagesWith(withBob, 'how are you')).toBeVisible();
  await expectAccessible(page, 'a box on a phone');

  await withBob.getByRole('button', { name: `Collapse Chat with ${fullName(bob)}`, exact: true }).click();
  await expect(withBob.getByRole('textbox')).toBeHidden();
  await expectAccessible(page, 'a collapsed box on a phone');

  // A chat that writes while Alice types on a phone waits in a banner rather than cover her field.
  await showView(page, 'New chat');
  await page.getByLabel('Search people', { exact: true }).focus();
  const carol = newPerson('Carol');
  const { user: me } = await sessionOf(page);
  await writeDirect(baseURL!, (await registerByApi(request, carol)).token, me.id, 'Are you there?');
  await expect(page.getByRole('status').filter({ hasText: `New message from ${fullName(carol)}` })).toBeVisible();
  await expectAccessible(page, 'the banner on a phone');
});
