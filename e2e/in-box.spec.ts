import type { Locator, Page } from '@playwright/test';
import {
  DOCKED,
  escapeRegExp,
  expect,
  expectMainScreen,
  fullName,
  messagesWith,
  newPerson,
  openChatWith,
  personButton,
  screenshot,
  sendAndConfirm,
  sendMessage,
  signUp,
  test,
  type Person,
} from './support';

/**
 * Makes the page report itself hidden, or shown again, as when its tab is switched away from and back. The
 * pages of a headless browser all count as visible; this is how a test has a tab in the background.
 */
async function setPageVisible(page: Page, visible: boolean): Promise<void> {
  await page.evaluate((state) => {
    Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, visible ? 'visible' : 'hidden');
}

/** The box's header button that collapses or expands it; folded, its name ends with the unread count, if any. */
function collapseToggle(box: Locator, person: Person, action: 'Collapse' | 'Expand'): Locator {
  return box.getByRole('button', { name: new RegExp(`^${action} Chat with ${escapeRegExp(fullName(person))}(, \\d+ unread)?$`) });
}

/** What a box lists, top to bottom: messages by their body, separators by their text. */
async function listed(box: Locator): Promise<string[]> {
  return box.locator('.messages > li').evaluateAll((items) =>
    items.map((item) => (item.classList.contains('message') ? `[${item.querySelector('.body')?.textContent?.trim()}]` : item.textContent!.trim())),
  );
}

/** Alice and Bob, each on a page of their own, with the chat between them open on both sides. */
async function aliceAndBob(openPage: (options?: { viewport: { width: number; height: number } }) => Promise<Page>, bobViewport = DOCKED) {
  const alice = newPerson('Alice');
  const bob = newPerson('Bob');
  const alicePage = await openPage();
  const bobPage = await openPage({ viewport: bobViewport });
  await signUp(alicePage, alice);
  await signUp(bobPage, bob);
  const aliceBox = await openChatWith(alicePage, bob);
  const bobBox = await openChatWith(bobPage, alice);
  return { alice, bob, alicePage, bobPage, aliceBox, bobBox };
}

test('unread messages: the divider sits above the first of them, a read on one tab clears the other, and Alice sees "Seen"', async ({
  openPage,
}) => {
  const { alice, bobPage, aliceBox, bobBox } = await aliceAndBob(openPage);
  await sendAndConfirm(aliceBox, 'Before you left');
  await expect(messagesWith(bobBox, 'Before you left')).toBeVisible();
  // Bob had it on screen: it is read, and Alice sees so under it.
  await expect(aliceBox.getByText('Seen', { exact: true })).toBeVisible();
  expect((await listed(aliceBox)).slice(-2)).toEqual(['[Before you left]', 'Seen']);

  // Bob folds his box away; Alice writes three more.
  await collapseToggle(bobBox, alice, 'Collapse').click();
  for (const text of ['One', 'Two', 'Three']) await sendAndConfirm(aliceBox, text);

  // Bob's second tab, in the background, opens the chat: it is not read there, and its folded box counts 3.
  const secondTab = await bobPage.context().newPage();
  await secondTab.goto('/');
  await expectMainScreen(secondTab);
  await setPageVisible(secondTab, false);
  const secondBox = await openChatWith(secondTab, alice);
  await expect(messagesWith(secondBox, 'Three')).toBeVisible();
  await collapseToggle(secondBox, alice, 'Collapse').click();
  const secondExpand = collapseToggle(secondBox, alice, 'Expand');
  await expect(secondExpand).toHaveAccessibleName(`Expand Chat with ${fullName(alice)}, 3 unread`);
  await expect(secondBox.locator('.badge')).toHaveText('3');
  // Still unread: "Seen" stays under the message Bob read.
  expect((await listed(aliceBox)).slice(-5)).toEqual(['[Before you left]', 'Seen', '[One]', '[Two]', '[Three]']);

  // Bob opens the box on the first tab: "New messages" sits just above the first of the three.
  await collapseToggle(bobBox, alice, 'Expand').click();
  const divider = bobBox.getByText('New messages', { exact: true });
  await expect(divider).toBeVisible();
  expect((await listed(bobBox)).slice(-5)).toEqual(['[Before you left]', 'New messages', '[One]', '[Two]', '[Three]']);

  // That read them: the second tab's count goes, Alice sees "Seen" under her last message, once.
  await expect(secondExpand).toHaveAccessibleName(`Expand Chat with ${fullName(alice)}`);
  await expect(secondBox.locator('.badge')).toHaveCount(0);
  await expect.poll(async () => (await listed(aliceBox)).slice(-2)).toEqual(['[Three]', 'Seen']);
  await expect(aliceBox.getByText('Seen', { exact: true })).toHaveCount(1);

  // The divider stays while Bob reads, and goes once he answers.
  await expect(divider).toBeVisible();
  await sendAndConfirm(bobBox, 'Got them');
  await expect(divider).toHaveCount(0);
});

test('a box open in a hidden tab does not read what arrives until the tab is shown; away again, "New messages" moves', async ({ openPage }) => {
  const { bobPage, aliceBox, bobBox } = await aliceAndBob(openPage);
  await sendAndConfirm(aliceBox, 'First');
  await expect(aliceBox.getByText('Seen', { exact: true })).toBeVisible();

  await setPageVisible(bobPage, false);
  await sendAndConfirm(aliceBox, 'While you were away');
  await expect(messagesWith(bobBox, 'While you were away')).toBeVisible();
  // Bob's box is open at the bottom, but his tab is hidden: not read.
  await expect(bobBox.getByText('New messages', { exact: true })).toBeVisible();
  expect((await listed(aliceBox)).slice(-3)).toEqual(['[First]', 'Seen', '[While you were away]']);

  await setPageVisible(bobPage, true);
  await expect.poll(async () => (await listed(aliceBox)).slice(-2)).toEqual(['[While you were away]', 'Seen']);
  expect((await listed(bobBox)).slice(-2)).toEqual(['New messages', '[While you were away]']);

  // All read, Bob switches away again: what comes now is where the new messages start.
  await setPageVisible(bobPage, false);
  await sendAndConfirm(aliceBox, 'And once more');
  await expect(messagesWith(bobBox, 'And once more')).toBeVisible();
  expect((await listed(bobBox)).slice(-3)).toEqual(['[While you were away]', 'New messages', '[And once more]']);
});

test('Bob sees "Alice is typing…" while she types, until her message arrives', async ({ openPage }) => {
  const { alice, aliceBox, bobBox } = await aliceAndBob(openPage);
  const typing = bobBox.getByText(`${alice.firstName} is typing…`, { exact: true });
  const region = bobBox.locator('[aria-live="polite"]');
  await expect(region).toBeEmpty();

  const composer = aliceBox.getByRole('textbox', { name: 'Message', exact: true });
  await composer.pressSequentially('Just a second, writing', { delay: 60 });
  await expect(typing).toBeVisible();
  await expect(region).toHaveText(`${alice.firstName} is typing…`);

  // Her message ends it at once, well before the 5 s an indicator lasts on its own.
  await composer.press('Enter');
  await expect(messagesWith(bobBox, 'Just a second, writing')).toBeVisible();
  await expect(typing).toHaveCount(0, { timeout: 2000 });
  // Alice's own box never says she is typing.
  await expect(aliceBox.getByText(/is typing…/)).toHaveCount(0);
});

test('scrolled up when messages arrive: "Jump to latest (n)" counts them and takes Bob down, which reads them', async ({ openPage }) => {
  const { aliceBox, bobBox } = await aliceAndBob(openPage);
  for (let i = 1; i <= 16; i++) await sendMessage(aliceBox, `Line ${i}`);
  await expect(messagesWith(bobBox, 'Line 16')).toBeVisible();
  await expect.poll(async () => (await listed(aliceBox)).slice(-2)).toEqual(['[Line 16]', 'Seen']);

  // Bob scrolls up to the start.
  const scroller = bobBox.locator('.scroller');
  await scroller.evaluate((element) => element.scrollTo({ top: -element.scrollHeight }));
  await expect(messagesWith(bobBox, 'Line 1').first()).toBeInViewport();
  const jump = bobBox.getByRole('button', { name: /^Jump to latest/ });
  await expect(jump).toHaveCount(0);

  await sendAndConfirm(aliceBox, 'Are you there?');
  await expect(jump).toHaveText('Jump to latest (1)');
  await sendAndConfirm(aliceBox, 'Hello?');
  await expect(jump).toHaveText('Jump to latest (2)');
  // Not on screen, so not read: "Seen" stays where it was.
  expect((await listed(aliceBox)).slice(-4)).toEqual(['[Line 16]', 'Seen', '[Are you there?]', '[Hello?]']);

  await jump.click();
  await expect(messagesWith(bobBox, 'Hello?')).toBeInViewport();
  await expect(jump).toHaveCount(0);
  await expect(bobBox.getByRole('textbox', { name: 'Message', exact: true })).toBeFocused();
  await expect.poll(async () => (await listed(aliceBox)).slice(-2)).toEqual(['[Hello?]', 'Seen']);
});

test.describe('screenshots', () => {
  /** Alice writes while Bob's box is folded; he opens it: a day separator, then "New messages". */
  async function dividers(openPage: Parameters<typeof aliceAndBob>[0], viewport: { width: number; height: number }) {
    const { alice, bobPage, aliceBox, bobBox } = await aliceAndBob(openPage, viewport);
    await sendAndConfirm(aliceBox, 'Hi Bob! Got the tickets?');
    await expect(messagesWith(bobBox, 'Got the tickets?')).toBeVisible();
    await sendAndConfirm(bobBox, 'Yes, row 12.');
    // Bob's tab is in the background while Alice writes, so what she writes waits for him, unread.
    await setPageVisible(bobPage, false);
    for (const text of ['Great!', 'Meet at 7:30?', 'At the café on the corner']) {
      await sendAndConfirm(aliceBox, text);
    }
    await setPageVisible(bobPage, true);
    await expect(bobBox.getByText('New messages', { exact: true })).toBeVisible();
    await expect(bobBox.getByText('Today', { exact: true })).toBeInViewport();
    // Alice starts her next message: the typing line shows too.
    await aliceBox.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('See');
    await expect(bobBox.getByText(`${alice.firstName} is typing…`)).toBeVisible();
    return { alice, bobPage, bobBox };
  }

  test('a chat with its dividers at 1280 px, on the stage', async ({ openPage }) => {
    const { bobPage } = await dividers(openPage, { width: 1280, height: 800 });
    await screenshot(bobPage, 'chat-box-1280');
  });

  test('a box with its dividers at 360 px, below the top bar, with a back arrow to the chats', async ({ openPage }) => {
    const { alice, bobPage, bobBox } = await dividers(openPage, { width: 360, height: 740 });
    await screenshot(bobPage, 'chat-box-360');

    // The connection state and the menu are not under the box, which fills the screen below them.
    await expect(bobPage.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible();
    await bobPage.getByRole('button', { name: 'Log out' }).click({ trial: true });
    const topBar = (await bobPage.locator('.topbar').boundingBox())!;
    const boxArea = (await bobBox.boundingBox())!;
    expect(Math.abs(boxArea.y - (topBar.y + topBar.height))).toBeLessThanOrEqual(1);
    expect(boxArea.y + boxArea.height).toBeCloseTo(740, 0);

    await bobBox.getByRole('button', { name: 'Back to chats', exact: true }).click();
    await expect(bobBox).toHaveCount(0);
    await expect(bobPage.getByRole('tablist', { name: 'Sidebar' })).toBeInViewport();
    // The keyboard is back on what opened the chat (Alice in New chat), not lost to the page.
    await expect(personButton(bobPage, alice)).toBeFocused();
  });
});
