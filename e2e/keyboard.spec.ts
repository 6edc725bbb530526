import type { Locator, Page } from '@playwright/test';
import type { Message } from '@parley/protocol';
import { contrastRatio, parseColor } from '../web/src/app/ui/contrast';
import {
  chatBox,
  chatRow,
  chatsList,
  connectClient,
  expect,
  expectMainScreen,
  findPerson,
  fullName,
  messagesWith,
  newPerson,
  personButton,
  registerByApi,
  roomBox,
  screenshot,
  sendOver,
  sessionOf,
  signUp,
  test,
  uniqueName,
  writeDirect,
} from './support';

/** Presses Tab (Shift+Tab `backwards`) until `target` has the keyboard; fails if it takes more than `most` presses. */
async function tabTo(page: Page, target: Locator, most = 60, backwards = false): Promise<void> {
  for (let presses = 0; presses < most; presses++) {
    if (await target.evaluate((element) => element === document.activeElement).catch(() => false)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  await expect(target).toBeFocused();
}

test('a whole conversation by keyboard alone: log in, find Bob, write, read his reply, close with Escape', async ({ openPage, request, baseURL }) => {
  const alice = newPerson('Alice');
  const bob = newPerson('Bob');
  await registerByApi(request, alice);
  const { token } = await registerByApi(request, bob);
  const bobSocket = await connectClient(baseURL!, token);
  const page = await openPage();
  try {
    // The log-in page starts in its username field.
    await page.goto('/login');
    await expect(page.getByLabel('Username', { exact: true })).toBeFocused();
    await page.keyboard.type(alice.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(alice.password);
    await page.keyboard.press('Enter');
    await expectMainScreen(page);

    // The skip link is the first stop; with no chat open it leads to the Chats list.
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Skip to chats', exact: true })).toBeFocused();

    // To the New chat view (the arrow keys move between the sidebar's views), search for Bob, and open his chat.
    await tabTo(page, page.getByRole('tab', { name: 'Chats', exact: true }));
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('tab', { name: 'New chat', exact: true })).toBeFocused();
    const search = page.getByLabel('Search people', { exact: true });
    await tabTo(page, search);
    const searched = page.waitForResponse((response) => new URL(response.url()).searchParams.get('query') === bob.username);
    await page.keyboard.type(bob.username);
    await searched;
    const bobButton = personButton(page, bob);
    await tabTo(page, bobButton);
    await page.keyboard.press('Enter');
    const box = chatBox(page, bob);
    const composer = box.getByRole('textbox', { name: 'Message', exact: true });
    await expect(composer).toBeFocused();

    // Write; Bob reads it and answers.
    const heard = new Promise<Message>((resolve) => bobSocket.on('message:new', resolve));
    await page.keyboard.type('Hello Bob, typed without a mouse');
    await page.keyboard.press('Enter');
    const mine = await heard;
    expect(mine.body).toBe('Hello Bob, typed without a mouse');
    await sendOver(bobSocket, mine.roomId, 'Hello Alice, I read you');
    await expect(messagesWith(box, 'Hello Alice, I read you')).toBeVisible();
    await expect(composer).toBeFocused();

    // Escape closes the box, and the keyboard goes back to the button that opened it.
    await page.keyboard.press('Escape');
    await expect(box).toBeHidden();
    await expect(bobButton).toBeFocused();

    // Enter on the same button opens it again, with the conversation.
    await page.keyboard.press('Enter');
    await expect(messagesWith(box, 'Hello Alice, I read you')).toBeVisible();
    await expect(composer).toBeFocused();

    // After a reload the box is back, and the skip link, first again, leads into it.
    await page.reload();
    await expectMainScreen(page);
    await expect(messagesWith(box, 'Hello Alice, I read you')).toBeVisible();
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Skip to open chats', exact: true })).toBeFocused();
    await screenshot(page, 'skip-link-1280');
    await page.keyboard.press('Enter');
    await expect(composer).toBeFocused();

    // Back from the composer, the first stop is the actions of Bob's message: react to it with the first emoji.
    const bobsMessage = messagesWith(box, 'Hello Alice, I read you');
    await page.keyboard.press('Shift+Tab');
    await expect(bobsMessage.getByRole('button', { name: 'Message actions' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('button', { name: 'React with 👍' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(bobsMessage.getByRole('button', { name: '👍 1 person, you among them' })).toBeVisible();
    await expect(bobsMessage.getByRole('button', { name: 'Message actions' })).toBeFocused();

    // Closed from its own header, the box sends the keyboard to its chat's row (what opened it is gone with the reload).
    await tabTo(page, box.getByRole('button', { name: `Close Chat with ${fullName(bob)}`, exact: true }), 10, true);
    await screenshot(page, 'focus-ring-box-header-1280');
    await page.keyboard.press('Enter');
    await expect(box).toBeHidden();
    await expect(chatRow(page, bob)).toBeFocused();
  } finally {
    bobSocket.disconnect();
  }
});

test('on a phone the open chat keeps the keyboard: Tab goes round the box and the top bar, never under the box', async ({ openPage, request }) => {
  const alice = newPerson('Alice');
  const bob = newPerson('Bob');
  await registerByApi(request, bob);
  const page = await openPage({ viewport: { width: 360, height: 740 } });
  await signUp(page, alice);
  const bobButton = await findPerson(page, bob);
  await bobButton.focus();
  await page.keyboard.press('Enter');
  const box = chatBox(page, bob);
  await expect(box.getByRole('textbox', { name: 'Message', exact: true })).toBeFocused();

  // The chats under the box are out of reach of the keyboard and of a screen reader, the top bar is not.
  const sidebar = page.getByRole('main');
  await expect(sidebar).toHaveAttribute('inert', '');
  const stops = new Set<string>();
  for (let presses = 0; presses < 30; presses++) {
    await page.keyboard.press('Tab');
    const where = await page.evaluate(() => {
      const element = document.activeElement;
      if (!element || element === document.body) return 'page';
      if (element.closest('main')) return 'under the box';
      if (element.closest('header')) return 'top bar';
      if (element.closest('app-chat-box')) return 'box';
      return element.tagName.toLowerCase();
    });
    expect(where).not.toBe('under the box');
    stops.add(where);
  }
  expect(stops).toContain('box');
  expect(stops).toContain('top bar');

  // Closed, the box gives the keyboard back to the person who opened it, in a sidebar that takes it again.
  await box.getByRole('textbox', { name: 'Message', exact: true }).focus();
  await page.keyboard.press('Escape');
  await expect(box).toBeHidden();
  await expect(sidebar).not.toHaveAttribute('inert');
  await expect(bobButton).toBeFocused();
});

test('a protected room by keyboard: its password prompt takes the keyboard, Escape gives it back', async ({ openPage, request, baseURL }) => {
  const alice = newPerson('Alice');
  const { token } = await registerByApi(request, newPerson('Host'));
  const roomName = uniqueName('Keyed room');
  const host = await connectClient(baseURL!, token);
  try {
    expect(await host.timeout(5000).emitWithAck('room:create', { name: roomName, password: 'open sesame' })).toMatchObject({ ok: true });
  } finally {
    host.disconnect();
  }
  const page = await openPage();
  await signUp(page, alice);

  const join = page.getByRole('button', { name: `Join room ${roomName} (password protected)`, exact: true });
  // End goes to the last of the sidebar's views, Rooms.
  await tabTo(page, page.getByRole('tab', { name: 'Chats', exact: true }));
  await page.keyboard.press('End');
  await expect(page.getByRole('tab', { name: 'Rooms', exact: true })).toHaveAttribute('aria-selected', 'true');
  await page.getByLabel('Search rooms', { exact: true }).focus();
  // The name at once, as a paste; the search goes once typing pauses.
  await page.keyboard.insertText(roomName);
  await tabTo(page, join);
  await page.keyboard.press('Enter');
  const password = page.getByLabel(`Password for ${roomName}`, { exact: true });
  await expect(password).toBeFocused();

  await page.keyboard.press('Escape');
  await expect(password).toBeHidden();
  await expect(join).toBeFocused();

  await page.keyboard.press('Enter');
  await expect(password).toBeFocused();
  await page.keyboard.type('open sesame');
  await page.keyboard.press('Enter');
  const room = roomBox(page, roomName);
  await expect(room.getByRole('textbox', { name: 'Message', exact: true })).toBeFocused();

  // What opened the box went with the prompt: Escape sends the keyboard to the room's row in the Chats list.
  await page.keyboard.press('Escape');
  await expect(room).toBeHidden();
  await expect(chatsList(page).getByRole('button', { name: `Open room ${roomName} (password protected)`, exact: true })).toBeFocused();
});

/** What has the keyboard, and its focus ring against what the ring is drawn on. */
interface FocusStop {
  /** Already reached on an earlier press: the Tab order has come round. */
  again: boolean;
  what: string;
  ring: string;
  width: number;
  color: string;
  background: string;
}

/** The focused element's ring, and the colour behind it: its own (a ring drawn inside) or the nearest painted ancestor's. */
function focusStop(page: Page): Promise<FocusStop | null> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!(element instanceof HTMLElement) || element === document.body) return null;
    const again = element.dataset['tabStop'] === 'seen';
    element.dataset['tabStop'] = 'seen';
    const style = getComputedStyle(element);
    const painted = (color: string) => !/^rgba\(.*,\s*0(\.[0-4]\d*)?\)$/.test(color) && color !== 'transparent';
    let behind: Element | null = parseFloat(style.outlineOffset) < 0 ? element : element.parentElement;
    while (behind && !painted(getComputedStyle(behind).backgroundColor)) behind = behind.parentElement;
    return {
      again,
      what: `${element.tagName.toLowerCase()} "${element.getAttribute('aria-label') ?? element.textContent?.trim().slice(0, 40)}"`,
      ring: style.outlineStyle,
      width: parseFloat(style.outlineWidth),
      color: style.outlineColor,
      background: behind ? getComputedStyle(behind).backgroundColor : 'rgb(255, 255, 255)',
    };
  });
}

test('every stop of the Tab order shows a focus ring of at least 3:1 against what is behind it', async ({ openPage, request, baseURL }) => {
  const alice = newPerson('Alice');
  const bob = newPerson('Bob');
  const { token } = await registerByApi(request, bob);
  const page = await openPage({ viewport: { width: 1280, height: 800 } });
  await signUp(page, alice);
  const { user } = await sessionOf(page);
  await writeDirect(baseURL!, token, user.id, 'Hello, a ring check');
  await expect(messagesWith(chatBox(page, bob), 'a ring check')).toBeVisible();

  const stops: FocusStop[] = [];
  await page.locator('body').focus();
  for (let presses = 0; presses < 120; presses++) {
    await page.keyboard.press('Tab');
    const stop = await focusStop(page);
    if (!stop || stop.again) break;
    stops.push(stop);
  }
  // The top bar, the lists, and the box: its header, its messages, its composer.
  expect(stops.map((stop) => stop.what)).toEqual(
    expect.arrayContaining([`button "Collapse Chat with ${fullName(bob)}"`, `div "Messages with ${fullName(bob)}"`, 'textarea "Message"']),
  );
  const weak = stops.filter(
    (stop) => stop.ring === 'none' || stop.width < 2 || contrastRatio(parseColor(stop.color), parseColor(stop.background)) < 3,
  );
  expect(weak).toEqual([]);
});
