import type { BrowserContextOptions, Page } from '@playwright/test';
import {
  chatBox,
  createRoom,
  expect,
  findPerson,
  messagesWith,
  newPerson,
  openChatWith,
  personButton,
  roomBox,
  screenshot,
  sendAndConfirm,
  sendMessage,
  showView,
  signUp,
  test,
  uniqueName,
  type Person,
} from './support';

test('two people chat: the receiver’s box pops up by itself, and the reply comes back', async ({ openPage }) => {
  const alice = newPerson('Alice');
  const bob = newPerson('Bob');
  const alicePage = await openPage();
  const bobPage = await openPage();
  await signUp(alicePage, alice);
  await signUp(bobPage, bob);

  // Alice finds Bob in the New chat list, online: his label says so and his avatar has the green dot.
  const bobButton = await findPerson(alicePage, bob);
  await expect(bobButton).toHaveAccessibleName(/ \(online\)$/);
  await expect(bobButton.locator('.dot.on')).toBeVisible();

  const aliceBox = await openChatWith(alicePage, bob);
  await sendAndConfirm(aliceBox, 'Hi Bob, are you there?');

  // Bob does nothing: the chat with Alice opens by itself with her message.
  const bobBox = chatBox(bobPage, alice);
  await expect(bobBox).toBeVisible();
  await expect(messagesWith(bobBox, 'Hi Bob, are you there?')).toBeVisible();

  await sendAndConfirm(bobBox, 'Yes, hello Alice!');
  await expect(messagesWith(aliceBox, 'Yes, hello Alice!')).toBeVisible();

  // Bob leaves: Alice sees him go offline.
  await bobPage.context().close();
  await expect(personButton(alicePage, bob)).toHaveAccessibleName(/ \(offline\)$/);
  await expect(personButton(alicePage, bob).locator('.dot.on')).toHaveCount(0);
});

test('the history is still there after closing the chat and after reloading the page', async ({ openPage }) => {
  const carol = newPerson('Carol');
  const dave = newPerson('Dave');
  const carolPage = await openPage();
  const davePage = await openPage();
  await signUp(carolPage, carol);
  await signUp(davePage, dave);

  const carolBox = await openChatWith(carolPage, dave);
  await sendAndConfirm(carolBox, 'First message');
  const daveBox = chatBox(davePage, carol);
  await expect(messagesWith(daveBox, 'First message')).toBeVisible();
  await sendAndConfirm(daveBox, 'Second message');
  await expect(messagesWith(carolBox, 'Second message')).toBeVisible();

  // Closed and opened again: the messages are still there.
  await carolBox.getByRole('button', { name: `Close Chat with ${dave.firstName} ${dave.lastName}` }).click();
  await expect(carolBox).toBeHidden();
  // The keyboard goes back to what opened the box: Dave in the New chat list.
  await expect(personButton(carolPage, dave)).toBeFocused();
  const reopened = await openChatWith(carolPage, dave);
  await expect(messagesWith(reopened, 'First message')).toBeVisible();
  await expect(messagesWith(reopened, 'Second message')).toBeVisible();

  // After a reload the box is open again, its history fetched from the server.
  await carolPage.reload();
  await expect(carolPage.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible();
  const afterReload = chatBox(carolPage, dave);
  await expect(afterReload).toBeVisible();
  await expect(messagesWith(afterReload, 'First message')).toHaveCount(1);
  await expect(messagesWith(afterReload, 'Second message')).toHaveCount(1);
  // Oldest first.
  await expect(afterReload.getByRole('list').getByRole('listitem').filter({ hasText: /First message|Second message/ })).toHaveText([
    /First message/,
    /Second message/,
  ]);
});

test('a protected room: others see it appear, a wrong password is refused, the right one lets them in', async ({ openPage }) => {
  const erin = newPerson('Erin');
  const frank = newPerson('Frank');
  const erinPage = await openPage();
  const frankPage = await openPage();
  // Frank is already on the main screen when the room is created.
  await signUp(frankPage, frank);
  await signUp(erinPage, erin);

  const roomName = uniqueName('Secret club');
  await createRoom(erinPage, roomName, 'open sesame');
  const erinRoom = roomBox(erinPage, roomName);
  await expect(erinRoom).toBeVisible();
  await showView(erinPage, 'Chats');
  await expect(erinPage.getByRole('button', { name: `Open room ${roomName} (password protected)`, exact: true })).toBeVisible();

  // The new room reaches Frank live, without a reload, with a lock.
  await showView(frankPage, 'Rooms');
  const joinButton = frankPage.getByRole('button', { name: `Join room ${roomName} (password protected)`, exact: true });
  await expect(joinButton).toBeVisible();
  await expect(joinButton.locator('app-room-icon svg rect')).toHaveCount(1);

  // A wrong password is refused, and the field says why.
  await joinButton.click();
  const password = frankPage.getByLabel(`Password for ${roomName}`, { exact: true });
  await password.fill('let me in');
  await frankPage.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(password).toHaveAccessibleDescription(/wrong password/i);
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(roomBox(frankPage, roomName)).toBeHidden();

  // The right one lets him in.
  await password.fill('open sesame');
  await frankPage.getByRole('button', { name: 'Join', exact: true }).click();
  const frankRoom = roomBox(frankPage, roomName);
  await expect(frankRoom).toBeVisible();
  await expect(password).toBeHidden();
  await expect(frankPage.getByRole('button', { name: `Open room ${roomName} (password protected)`, exact: true })).toBeVisible();

  // Both talk.
  await sendAndConfirm(frankRoom, 'Frank here, thanks for the invite');
  await expect(messagesWith(erinRoom, 'Frank here, thanks for the invite')).toBeVisible();
  await expect(messagesWith(erinRoom, 'Frank here, thanks for the invite')).toContainText(`${frank.firstName} ${frank.lastName}`);
  // In a group anyone may share a display name: the username beside it tells who wrote.
  await expect(messagesWith(erinRoom, 'Frank here, thanks for the invite')).toContainText(`@${frank.username}`);
  await sendAndConfirm(erinRoom, 'Welcome, Frank');
  await expect(messagesWith(frankRoom, 'Welcome, Frank')).toBeVisible();
});

test('messages are shown as text: markup is not run, links become links', async ({ openPage }) => {
  const grace = newPerson('Grace');
  const heidi = newPerson('Heidi');
  const gracePage = await openPage();
  const heidiPage = await openPage();
  const dialogs: string[] = [];
  for (const page of [gracePage, heidiPage]) {
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }
  await signUp(gracePage, grace);
  await signUp(heidiPage, heidi);

  const attack = '<img src=x onerror=alert(1)>';
  const graceBox = await openChatWith(gracePage, heidi);
  await sendAndConfirm(graceBox, attack);

  const heidiBox = chatBox(heidiPage, grace);
  await expect(heidiBox).toBeVisible();
  await expect(heidiBox.getByText(attack, { exact: true })).toBeVisible();
  await expect(heidiBox.locator('img')).toHaveCount(0);
  await expect(graceBox.locator('img')).toHaveCount(0);

  await sendAndConfirm(graceBox, 'Have a look at https://example.com/path please');
  const link = heidiBox.getByRole('link', { name: 'https://example.com/path', exact: true });
  await expect(link).toBeVisible();
  await expect(link).toHaveAttribute('href', 'https://example.com/path');
  await expect(messagesWith(heidiBox, 'Have a look at')).toContainText('Have a look at https://example.com/path please');

  expect(dialogs, 'no dialog may open').toEqual([]);
});

test('a message whose acknowledgement is lost can be retried, and is stored once', async ({ openPage }) => {
  const ivan = newPerson('Ivan');
  const judy = newPerson('Judy');
  const ivanPage = await openPage();
  const judyPage = await openPage();
  const marker = `lost-ack-${Date.now().toString(36)}`;
  const text = `This one gets lost on the way back ${marker}`;
  const dropped = { ack: false, echo: false };

  // Ivan's connection loses the server's answer to his first message with the marker, and its echo.
  await ivanPage.routeWebSocket(/socket\.io/, (ws) => {
    const server = ws.connectToServer();
    let ackId: string | null = null;
    ws.onMessage((frame) => {
      if (ackId === null && typeof frame === 'string' && frame.includes(marker)) {
        const send = /^42(\d+)\["message:send",/.exec(frame);
        if (send) ackId = send[1]!;
      }
      server.send(frame);
    });
    server.onMessage((frame) => {
      if (typeof frame === 'string') {
        if (ackId !== null && !dropped.ack && frame.startsWith(`43${ackId}[`)) {
          dropped.ack = true;
          return;
        }
        if (!dropped.echo && frame.startsWith('42["message:new",') && frame.includes(marker)) {
          dropped.echo = true;
          return;
        }
      }
      ws.send(frame);
    });
  });

  await signUp(ivanPage, ivan);
  await signUp(judyPage, judy);
  const ivanBox = await openChatWith(ivanPage, judy);
  await sendMessage(ivanBox, text);

  const mine = messagesWith(ivanBox, marker);
  await expect(mine.getByText('Sending…')).toBeVisible();
  // The server stored it, so Judy has it already.
  const judyBox = chatBox(judyPage, ivan);
  await expect(messagesWith(judyBox, marker)).toHaveCount(1);

  // No answer within the 8 s ack timeout: Ivan is told, and may retry.
  await expect(mine.getByText('Not sent')).toBeVisible({ timeout: 20_000 });
  expect(dropped).toEqual({ ack: true, echo: true });
  await mine.getByRole('button', { name: 'Retry', exact: true }).click();
  await expect(mine.getByText(/Sending…|Not sent/)).toHaveCount(0);
  await expect(mine.getByRole('button', { name: 'Retry' })).toHaveCount(0);

  // Exactly once on both sides…
  await expect(messagesWith(ivanBox, marker)).toHaveCount(1);
  await expect(messagesWith(judyBox, marker)).toHaveCount(1);
  // …and in the database: Judy reloads and opens the chat again.
  await judyPage.reload();
  await expect(judyPage.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible();
  const judyAgain = await openChatWith(judyPage, ivan);
  await expect(messagesWith(judyAgain, marker)).toHaveCount(1);
  await expect(messagesWith(judyAgain, marker)).toContainText(text);
  // A message after it shows the stream goes on normally (and would reveal a second copy's seq).
  await sendAndConfirm(judyAgain, 'Got it once');
  await expect(messagesWith(ivanBox, 'Got it once')).toBeVisible();
  await expect(messagesWith(ivanBox, marker)).toHaveCount(1);
});

test.describe('screenshots', () => {
  async function converse(openPage: (options?: BrowserContextOptions) => Promise<Page>, viewport: { width: number; height: number }) {
    const kim = newPerson('Kim');
    const leo = newPerson('Leo');
    const kimPage = await openPage({ viewport });
    const leoPage = await openPage();
    await signUp(leoPage, leo);
    await signUp(kimPage, kim);
    await expect(await findPerson(kimPage, leo)).toHaveAccessibleName(/ \(online\)$/);
    return { kim, leo, kimPage, leoPage };
  }

  /** Kim opens the chat with Leo and they exchange a message each; returns Kim's box. */
  async function chatAway(kimPage: Page, leoPage: Page, kim: Person, leo: Person) {
    const box = await openChatWith(kimPage, leo);
    await sendAndConfirm(box, 'Hello Leo! Shall we meet at https://example.com/path tomorrow?');
    const leoBox = chatBox(leoPage, kim);
    await expect(messagesWith(leoBox, 'Hello Leo')).toBeVisible();
    await sendAndConfirm(leoBox, 'Sure, see you there.');
    await expect(messagesWith(box, 'Sure, see you there.')).toBeVisible();
    return box;
  }

  test('desktop, 1280×800: the main screen and an open chat', async ({ openPage }) => {
    const { leo, kim, kimPage, leoPage } = await converse(openPage, { width: 1280, height: 800 });
    await screenshot(kimPage, 'main-desktop', { fullPage: true });

    const box = await chatAway(kimPage, leoPage, kim, leo);

    // The box is docked at the bottom right and leaves the sidebar visible.
    const boxArea = (await box.boundingBox())!;
    expect(boxArea.x + boxArea.width).toBeLessThanOrEqual(1280);
    expect(boxArea.y + boxArea.height).toBeCloseTo(800, 0);
    await expect(kimPage.getByRole('tablist', { name: 'Sidebar' })).toBeInViewport();
    await screenshot(kimPage, 'chat-desktop');
  });

  test('mobile, 360×740: the main screen and an open chat filling the screen', async ({ openPage }) => {
    const { leo, kim, kimPage, leoPage } = await converse(openPage, { width: 360, height: 740 });
    await screenshot(kimPage, 'main-mobile', { fullPage: true });
    // Nothing sticks out sideways at 360 px.
    expect(await kimPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    const box = await chatAway(kimPage, leoPage, kim, leo);

    // It fills the screen below the top bar, which stays in reach.
    const boxArea = (await box.boundingBox())!;
    const topBar = (await kimPage.locator('.topbar').boundingBox())!;
    expect(boxArea.x).toBeCloseTo(0, 0);
    expect(boxArea.width).toBeCloseTo(360, 0);
    expect(Math.abs(boxArea.y - (topBar.y + topBar.height))).toBeLessThanOrEqual(1);
    expect(boxArea.y + boxArea.height).toBeCloseTo(740, 0);
    await expect(box.getByRole('button', { name: 'Send', exact: true })).toBeInViewport({ ratio: 1 });
    await screenshot(kimPage, 'chat-mobile');
  });
});
