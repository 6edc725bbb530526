import type { Locator, Page, WebSocketRoute } from '@playwright/test';
import {
  chatBox,
  chatRow,
  chatsList,
  connectClient,
  createRoom,
  DOCKED,
  escapeRegExp,
  expect,
  expectMainScreen,
  fullName,
  logIn,
  messagesWith,
  newPerson,
  openChatWith,
  registerByApi,
  roomBox,
  screenshot,
  sendAndConfirm,
  sendOver,
  sessionOf,
  showView,
  signUp,
  test,
  uniqueName,
} from './support';

test('messages written while I was logged out wait in the Chats list, counted, and nothing opens by itself', async ({ openPage }) => {
  const alice = newPerson('Alice');
  const bob = newPerson('Bob');
  const alicePage = await openPage();
  const bobPage = await openPage();
  await signUp(bobPage, bob);
  await bobPage.getByRole('button', { name: 'Log out', exact: true }).click();
  await expect(bobPage.getByRole('heading', { name: 'Log in to Parley' })).toBeVisible();

  await signUp(alicePage, alice);
  const aliceBox = await openChatWith(alicePage, bob);
  for (const text of ['Are you there?', 'I have news', 'Call me when you can']) await sendAndConfirm(aliceBox, text);
  await showView(alicePage, 'Chats');
  // Alice's own row says what she wrote last, and counts nothing: her messages are read by her.
  await expect(chatRow(alicePage, bob)).toHaveAccessibleName(`Chat with ${fullName(bob)}`);
  await expect(chatRow(alicePage, bob)).toContainText('You: Call me when you can');

  await logIn(bobPage, bob);
  const row = chatRow(bobPage, alice);
  await expect(row).toHaveAccessibleName(`Chat with ${fullName(alice)} (3 unread)`);
  await expect(row.locator('.badge')).toHaveText('3');
  await expect(row).toContainText('Call me when you can');
  await expect(bobPage).toHaveTitle('(3) Parley');
  await expect(bobPage.locator('link[rel="icon"]')).toHaveAttribute('href', 'favicon-unread.png');
  // Nobody opened anything: no box popped up for messages that came while Bob was away.
  await expect(bobPage.getByRole('region', { name: /^(Chat with|Room) / })).toHaveCount(0);

  // The count is the server's: a reload shows it again.
  await bobPage.reload();
  await expectMainScreen(bobPage);
  await expect(chatRow(bobPage, alice)).toHaveAccessibleName(`Chat with ${fullName(alice)} (3 unread)`);
  await expect(bobPage).toHaveTitle('(3) Parley');

  // A second tab of Bob's counts them too.
  const bobTab2 = await bobPage.context().newPage();
  await bobTab2.goto('/');
  await expectMainScreen(bobTab2);
  await expect(chatRow(bobTab2, alice)).toHaveAccessibleName(`Chat with ${fullName(alice)} (3 unread)`);
  await expect(bobTab2).toHaveTitle('(3) Parley');

  // Clicking the row opens the chat, with the three messages under the "New messages" divider.
  await bobPage.bringToFront();
  await chatRow(bobPage, alice).click();
  const bobBox = chatBox(bobPage, alice);
  await expect(messagesWith(bobBox, 'Call me when you can')).toBeVisible();
  await expect(bobBox.getByRole('textbox', { name: 'Message', exact: true })).toBeFocused();
  const items = bobBox.getByRole('listitem');
  await expect(items.filter({ hasText: 'New messages' })).toHaveCount(1);
  const texts = await items.allInnerTexts();
  expect(texts[texts.findIndex((text) => text.includes('New messages')) + 1]).toContain('Are you there?');

  // Read on the first tab: the second stops counting, and Alice sees that Bob has seen them.
  await expect(chatRow(bobTab2, alice)).toHaveAccessibleName(`Chat with ${fullName(alice)}`);
  await expect(bobTab2).toHaveTitle('Parley');
  await expect(aliceBox.getByText('Seen', { exact: true })).toBeVisible();
});

/**
 * Lets the test hide the page (`window.__setHidden(true)`) as a switch of tab would, and records every
 * desktop notification made (the real one is still made) and every permission request.
 */
async function recordNotifications(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const state = window as unknown as Record<string, unknown>;
    let hidden = false;
    Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
    state['__setHidden'] = (value: boolean) => {
      hidden = value;
      document.dispatchEvent(new Event('visibilitychange'));
    };
    const made: { title: string; body?: string; notification?: Notification }[] = [];
    state['__notifications'] = made;
    state['__permissionRequests'] = 0;
    const Real = window.Notification;
    class Recording extends Real {
      constructor(title: string, options?: NotificationOptions) {
        const record: (typeof made)[number] = { title, body: options?.body };
        made.push(record);
        super(title, options);
        record.notification = this;
      }
      static override requestPermission(...args: Parameters<typeof Notification.requestPermission>) {
        state['__permissionRequests'] = (state['__permissionRequests'] as number) + 1;
        return Real.requestPermission(...args);
      }
    }
    window.Notification = Recording;
  });
}

const notificationsMade = (page: Page) =>
  page.evaluate(() =>
    ((window as unknown as { __notifications: { title: string; body?: string }[] }).__notifications).map(({ title, body }) => ({ title, body })),
  );

test('with the page hidden and notifications turned on, a message makes a desktop notification that opens its chat', async ({ openPage }) => {
  const alice = newPerson('Alice');
  const bob = newPerson('Bob');
  const bobPage = await openPage();
  const alicePage = await openPage();
  await bobPage.context().grantPermissions(['notifications']);
  await recordNotifications(bobPage);
  await signUp(bobPage, bob);
  await signUp(alicePage, alice);

  // Nothing asks for the permission on load: only the button does.
  expect(await bobPage.evaluate(() => (window as unknown as { __permissionRequests: number }).__permissionRequests)).toBe(0);
  await bobPage.getByRole('button', { name: 'Turn on notifications', exact: true }).click();
  await expect(bobPage.getByRole('button', { name: 'Turn off notifications', exact: true })).toBeVisible();

  // While Bob looks at the page, a message makes no notification.
  const aliceBox = await openChatWith(alicePage, bob);
  await sendAndConfirm(aliceBox, 'You are looking, no need to ring');
  await expect(messagesWith(chatBox(bobPage, alice), 'You are looking')).toBeVisible();
  expect(await notificationsMade(bobPage)).toEqual([]);

  // Bob switches to another tab: the next message makes one, with Alice's name and the message.
  await bobPage.evaluate(() => (window as unknown as { __setHidden: (hidden: boolean) => void }).__setHidden(true));
  await sendAndConfirm(aliceBox, 'Lunch at noon?');
  await expect.poll(() => notificationsMade(bobPage)).toEqual([{ title: fullName(alice), body: 'Lunch at noon?' }]);

  // Clicking it brings the chat forward, ready to answer.
  await bobPage.evaluate(() => {
    (window as unknown as { __setHidden: (hidden: boolean) => void }).__setHidden(false);
    const [made] = (window as unknown as { __notifications: { notification: Notification }[] }).__notifications;
    made!.notification.onclick!(new Event('click'));
  });
  await expect(chatBox(bobPage, alice).getByRole('textbox', { name: 'Message', exact: true })).toBeFocused();
});

test('on a phone, a message arriving while I type a room name keeps every keystroke in the field, and offers the chat in a banner', async ({
  openPage,
}) => {
  const alice = newPerson('Alice');
  const bob = newPerson('Bob');
  const bobPage = await openPage({ viewport: { width: 360, height: 740 } });
  const alicePage = await openPage();
  await signUp(bobPage, bob);
  await signUp(alicePage, alice);
  const aliceBox = await openChatWith(alicePage, bob);

  await showView(bobPage, 'Rooms');
  await bobPage.getByRole('button', { name: 'New room', exact: true }).click();
  const field = bobPage.getByRole('dialog', { name: 'New room' }).getByLabel('Room name', { exact: true });
  await expect(field).toBeFocused();
  const name = 'Weekend hiking club';
  const typing = field.pressSequentially(name, { delay: 150 });
  await sendAndConfirm(aliceBox, 'Are you coming on Saturday?');
  const banner = bobPage.getByRole('status').filter({ hasText: `New message from ${fullName(alice)}` });
  // The banner shows while Bob is still typing…
  await expect(banner).toBeVisible();
  expect(await field.inputValue()).not.toBe(name);
  await typing;

  // …and every keystroke went into the field, which kept the focus and was never covered.
  await expect(field).toHaveValue(name);
  await expect(field).toBeFocused();
  await expect(chatBox(bobPage, alice)).toBeHidden();
  expect(await isOnTop(field)).toBe(true);
  await screenshot(bobPage, 'banner-360');

  // Once the dialog is put away, the Chats list counts the message, and Open in the banner opens the chat.
  await bobPage.keyboard.press('Escape');
  await showView(bobPage, 'Chats');
  await expect(chatRow(bobPage, alice)).toHaveAccessibleName(`Chat with ${fullName(alice)} (1 unread)`);
  await banner.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(messagesWith(chatBox(bobPage, alice), 'Are you coming on Saturday?')).toBeVisible();
  await expect(banner).toBeHidden();
});

test('open boxes, and which are collapsed, survive a reload and a new log-in on the same device', async ({ openPage }) => {
  const carol = newPerson('Carol');
  const dave = newPerson('Dave');
  // Too narrow for a stage: every chat docks as a box, and a box can be collapsed.
  const carolPage = await openPage({ viewport: DOCKED });
  await signUp(await openPage(), dave);
  await signUp(carolPage, carol);

  const daveBox = await openChatWith(carolPage, dave);
  await sendAndConfirm(daveBox, 'Still there after a reload?');
  const roomName = uniqueName('Open plan');
  await createRoom(carolPage, roomName);
  const room = roomBox(carolPage, roomName);
  await expect(room).toBeVisible();
  await room.getByRole('button', { name: `Collapse Room ${roomName}`, exact: true }).click();
  await expect(room.getByRole('button', { name: `Expand Room ${roomName}`, exact: true })).toBeVisible();

  const expectBoxesAsLeft = async () => {
    await expect(messagesWith(chatBox(carolPage, dave), 'Still there after a reload?')).toBeVisible();
    await expect(roomBox(carolPage, roomName).getByRole('button', { name: `Expand Room ${roomName}`, exact: true })).toBeVisible();
    await expect(carolPage.getByRole('region', { name: /^(Chat with|Room) / })).toHaveCount(2);
  };
  await carolPage.reload();
  await expectMainScreen(carolPage);
  await expectBoxesAsLeft();

  await carolPage.getByRole('button', { name: 'Log out', exact: true }).click();
  await expect(carolPage.getByRole('region', { name: /^(Chat with|Room) / })).toHaveCount(0);
  await logIn(carolPage, carol);
  await expectBoxesAsLeft();

  // A box closed stays closed after a reload.
  await chatBox(carolPage, dave).getByRole('button', { name: `Close Chat with ${fullName(dave)}`, exact: true }).click();
  await carolPage.reload();
  await expectMainScreen(carolPage);
  await expect(roomBox(carolPage, roomName)).toBeVisible();
  await expect(chatBox(carolPage, dave)).toBeHidden();
});

test('when the dock is full, a chat that writes waits under "+N" and opens from there', async ({ openPage, baseURL, request }) => {
  const erin = newPerson('Erin');
  // 720 px fit one box beside the sidebar: two people write to Erin.
  const erinPage = await openPage({ viewport: { width: 720, height: 800 } });
  await signUp(erinPage, erin);
  const { user: me } = await sessionOf(erinPage);
  const [fay, gus] = [newPerson('Fay'), newPerson('Gus')];
  for (const writer of [fay, gus]) {
    const { token } = await registerByApi(request, writer);
    const socket = await connectClient(baseURL!, token);
    try {
      const opened = await socket.timeout(5000).emitWithAck('dm:open', { userId: me.id });
      if (!opened.ok) throw new Error(opened.error.message);
      await sendOver(socket, opened.room.id, `Hello from ${writer.firstName}`);
      await expect(chatRow(erinPage, writer)).toBeVisible();
    } finally {
      socket.disconnect();
    }
  }
  await expect(chatBox(erinPage, fay)).toBeVisible();
  await expect(chatBox(erinPage, gus)).toBeHidden();

  const more = erinPage.getByRole('button', { name: '1 more open chat', exact: true });
  await more.click();
  await erinPage.getByRole('list', { name: 'More open chats' }).getByRole('button', { name: `${fullName(gus)}, 1 unread` }).click();
  await expect(messagesWith(chatBox(erinPage, gus), 'Hello from Gus')).toBeVisible();
  // The box that made way waits under "+1" in turn.
  await expect(chatBox(erinPage, fay)).toBeHidden();
  await expect(more).toBeVisible();
});

test('on a phone, opening a room keeps the chat I was in under "+1", and the top bar stays in reach', async ({ openPage }) => {
  const alice = newPerson('Alice');
  const bob = newPerson('Bob');
  const bobPage = await openPage({ viewport: { width: 360, height: 740 } });
  const alicePage = await openPage();
  // Bob's network: while `down`, every WebSocket is cut and new ones are refused.
  let down = false;
  const bobSockets: WebSocketRoute[] = [];
  await bobPage.routeWebSocket(/socket\.io/, (ws) => {
    if (down) {
      void ws.close();
      return;
    }
    bobSockets.push(ws);
    ws.connectToServer();
  });
  await signUp(bobPage, bob);
  await signUp(alicePage, alice);
  await sendAndConfirm(await openChatWith(alicePage, bob), 'Ping from Alice');

  // Nothing else open and Bob not typing: the chat opens, over the screen.
  const withAlice = chatBox(bobPage, alice);
  await expect(messagesWith(withAlice, 'Ping from Alice')).toBeVisible();
  await withAlice.getByRole('button', { name: `Collapse Chat with ${fullName(alice)}`, exact: true }).click();

  const roomName = uniqueName('Phone room');
  await createRoom(bobPage, roomName);
  await expect(roomBox(bobPage, roomName)).toBeVisible();
  await expect(withAlice).toBeHidden();
  const more = bobPage.getByRole('button', { name: '1 more open chat', exact: true });
  await expect(more).toBeInViewport();
  await screenshot(bobPage, 'dock-more-360');

  await more.click();
  // Whether Alice's message counts as read yet is the box's business: the entry may carry a count.
  await bobPage.getByRole('list', { name: 'More open chats' }).getByRole('button', { name: new RegExp(`^${escapeRegExp(fullName(alice))}(, \\d+ unread)?$`) }).click();
  await expect(messagesWith(withAlice, 'Ping from Alice')).toBeVisible();
  await expect(roomBox(bobPage, roomName)).toBeHidden();
  await expect(more).toBeVisible();

  // The box leaves the top bar in reach, however many rows it wraps to: its menu, and the connection's state.
  const status = bobPage.getByRole('status').filter({ hasText: 'Connected' });
  await expect(bobPage.getByRole('button', { name: 'Log out', exact: true })).toBeInViewport();
  expect(await isOnTop(bobPage.getByRole('button', { name: 'Log out', exact: true }))).toBe(true);
  down = true;
  for (const ws of bobSockets.splice(0)) await ws.close();
  await expect(bobPage.getByRole('status').filter({ hasText: 'Reconnecting…' })).toBeVisible();
  expect(await isOnTop(bobPage.getByRole('status').filter({ hasText: 'Reconnecting…' }))).toBe(true);
  await expect(status).toHaveCount(0);
});

/** Whether the middle of an element is what the page shows there, not something covering it. */
function isOnTop(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    return top !== null && element.contains(top);
  });
}

test('screenshots: the Chats list at 1280 and 360 px', async ({ openPage, baseURL, request }) => {
  const bob = newPerson('Bob');
  const alice = newPerson('Alice');
  const carol = newPerson('Carol');
  const { user: bobUser, token: bobToken } = await registerByApi(request, bob);
  const [aliceSocket, carolSocket, bobSocket] = await Promise.all([
    registerByApi(request, alice).then(({ token }) => connectClient(baseURL!, token)),
    registerByApi(request, carol).then(({ token }) => connectClient(baseURL!, token)),
    connectClient(baseURL!, bobToken),
  ]);
  // The others write while Bob is away: he comes back to a list, not to boxes.
  const bookClub = uniqueName('Book club');
  try {
    const club = await carolSocket.timeout(5000).emitWithAck('room:create', { name: bookClub });
    if (!club.ok) throw new Error(club.error.message);
    expect(await bobSocket.timeout(5000).emitWithAck('room:join', { roomId: club.room.id })).toMatchObject({ ok: true });
    const withCarol = await carolSocket.timeout(5000).emitWithAck('dm:open', { userId: bobUser.id });
    if (!withCarol.ok) throw new Error(withCarol.error.message);
    await sendOver(carolSocket, withCarol.room.id, 'See you at eight?');
    await sendOver(bobSocket, withCarol.room.id, 'Sounds good, see you there!');
    await sendOver(carolSocket, club.room.id, 'Chapter three is a real page-turner');
    expect(await bobSocket.timeout(5000).emitWithAck('room:mute', { roomId: club.room.id, muted: true })).toMatchObject({ ok: true });
    const withAlice = await aliceSocket.timeout(5000).emitWithAck('dm:open', { userId: bobUser.id });
    if (!withAlice.ok) throw new Error(withAlice.error.message);
    for (const text of ['Are you free tomorrow?', 'I found the tickets', 'Call me when you can']) await sendOver(aliceSocket, withAlice.room.id, text);
  } finally {
    for (const socket of [aliceSocket, carolSocket, bobSocket]) socket.disconnect();
  }

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 360, height: 740 },
  ]) {
    const page = await openPage({ viewport });
    await logIn(page, bob);
    // Newest first; the room Bob muted says so, and does not count in the title.
    await expect(chatsList(page).getByRole('button', { name: /^(Chat with|Open room)/ })).toHaveText([
      /Alice.*Call me when you can.*3/,
      /Book club.*Carol: Chapter three/,
      /Carol.*You: Sounds good/,
    ]);
    await expect(chatsList(page).getByRole('button', { name: `Open room ${bookClub} (1 unread, muted)`, exact: true })).toBeVisible();
    await expect(page).toHaveTitle('(3) Parley');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    await screenshot(page, `chats-list-${viewport.width}`);
  }

  // The bell in a row mutes and unmutes, on the server: the title counts the room again.
  const page = await openPage();
  await logIn(page, bob);
  await chatsList(page).getByRole('button', { name: `Unmute ${bookClub}`, exact: true }).click();
  await expect(chatsList(page).getByRole('button', { name: `Open room ${bookClub} (1 unread)`, exact: true })).toBeVisible();
  await expect(page).toHaveTitle('(4) Parley');
  await page.reload();
  await expectMainScreen(page);
  await expect(page).toHaveTitle('(4) Parley');
});
