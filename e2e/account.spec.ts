import type { Locator, Page } from '@playwright/test';
import {
  chatBox,
  chatRow,
  chatsList,
  expect,
  expectAccessible,
  findPerson,
  fullName,
  logIn,
  messagesWith,
  newPerson,
  openChatWith,
  personButton,
  screenshot,
  sendAndConfirm,
  sendMessage,
  showView,
  signUp,
  test,
} from './support';

/** Goes from the main page to the settings by the top bar's link. */
async function openSettings(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
}

/** Presses Tab until `target` has the keyboard: where it is in the order is the page's business, that it gets there ours. */
async function tabTo(page: Page, target: Locator, { backwards = false } = {}): Promise<void> {
  for (let presses = 0; presses < 20; presses++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  await expect(target).toBeFocused();
}

test('Bob changes his name and Alice’s list shows it, with no reload', async ({ openPage }) => {
  const alicePage = await openPage();
  const alice = newPerson('Alice');
  await signUp(alicePage, alice);
  const bobPage = await openPage();
  const bob = newPerson('Bob');
  await signUp(bobPage, bob);

  // Alice has written to Bob: he is in her Chats list, his box is open, and New chat lists him.
  const box = await openChatWith(alicePage, bob);
  await sendAndConfirm(box, 'Are you coming on Saturday?');
  await showView(alicePage, 'Chats');
  await expect(chatRow(alicePage, bob)).toBeVisible();

  await openSettings(bobPage);
  const robert = { ...bob, firstName: 'Robert' };
  const firstName = bobPage.getByLabel('First name', { exact: true });
  await expect(firstName).toHaveValue(bob.firstName);
  await expect(bobPage.getByLabel('Last name', { exact: true })).toHaveValue(bob.lastName);
  await firstName.fill(robert.firstName);
  await bobPage.getByRole('button', { name: 'Save name', exact: true }).click();
  await expect(bobPage.getByRole('status').filter({ hasText: 'Your name is saved.' })).toBeVisible();

  // Alice's screen follows: the Chats list, the box's title, and New chat.
  await expect(chatRow(alicePage, robert)).toBeVisible();
  await expect(chatRow(alicePage, bob)).toHaveCount(0);
  await expect(chatBox(alicePage, robert)).toBeVisible();
  await findPerson(alicePage, robert);
  await expect(personButton(alicePage, bob)).toHaveCount(0);

  // Back on his main page, Bob's top bar says his new name.
  await bobPage.getByRole('link', { name: 'Back to chats' }).click();
  await expect(bobPage.locator('.me-name')).toHaveText(fullName(robert));
});

test('the settings by keyboard alone on a phone: a new name, and where one is logged in', async ({ openPage }) => {
  const page = await openPage({ viewport: { width: 360, height: 740 } });
  const kim = newPerson('Kim');
  await signUp(page, kim);

  const settingsLink = page.getByRole('link', { name: 'Settings', exact: true });
  await tabTo(page, settingsLink);
  await page.keyboard.press('Enter');
  const heading = page.getByRole('heading', { name: 'Settings', level: 1 });
  await expect(heading).toBeFocused();
  await expect(page).toHaveTitle('Settings · Parley');

  // The keyboard goes on into the first section, the name.
  await page.keyboard.press('Tab');
  const firstName = page.getByLabel('First name', { exact: true });
  await expect(firstName).toBeFocused();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('Kimberly');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Last name', { exact: true })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Save name', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Your name is saved.' })).toBeVisible();

  // An empty name is refused beside its field, and the keyboard is taken there.
  await firstName.focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.press('Enter');
  await expect(page.getByText('First name must not be empty')).toBeVisible();
  await expect(firstName).toBeFocused();
  await page.keyboard.type('Kimberly');

  // This device is listed, with a way to log it out.
  const sessions = page.getByRole('list', { name: 'Where you are logged in' });
  await expect(sessions.getByRole('listitem')).toHaveCount(1);
  await expect(sessions.getByRole('listitem').first()).toContainText('This device');
  await expect(sessions.getByRole('listitem').first()).toContainText('Chrome on Linux');
  await expect(page.getByText('You have not blocked anyone.')).toBeVisible();

  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await expectAccessible(page, 'the settings page at 360 px');

  // The password's rules are said under its field, before anything is typed.
  await page.getByLabel('New password', { exact: true }).focus();
  await expect(page.getByText(/^At least 8 characters, not a common password/)).toBeVisible();

  // Deleting asks first, in a dialog that Escape closes, giving the keyboard back.
  const deleteButton = page.getByRole('button', { name: 'Delete account…', exact: true });
  await tabTo(page, deleteButton);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Password', { exact: true })).toBeFocused();
  await expectAccessible(page, 'the account deletion dialog at 360 px');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(deleteButton).toBeFocused();

  // And back to the chats.
  await tabTo(page, page.getByRole('link', { name: 'Back to chats' }), { backwards: true });
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
  await expect(page.locator('.me').getByRole('img')).toHaveAccessibleName(/Kimberly/);
});

test('Alice blocks Bob from their chat’s menu: Bob’s message is refused with the server’s reason, until she unblocks him', async ({ openPage }) => {
  const alicePage = await openPage();
  const alice = newPerson('Alice');
  await signUp(alicePage, alice);
  const bobPage = await openPage();
  const bob = newPerson('Bob');
  await signUp(bobPage, bob);

  const aliceBox = await openChatWith(alicePage, bob);
  await sendAndConfirm(aliceBox, 'Hi Bob');
  const bobBox = chatBox(bobPage, alice);
  await expect(messagesWith(bobBox, 'Hi Bob')).toHaveCount(1);

  await aliceBox.getByRole('button', { name: `Menu of chat with ${fullName(bob)}`, exact: true }).click();
  await alicePage.getByRole('button', { name: `Block ${fullName(bob)}`, exact: true }).click();
  const confirm = alicePage.getByRole('dialog', { name: `Block ${fullName(bob)}?` });
  await expect(confirm).toBeVisible();
  await expectAccessible(alicePage, 'the block dialog');
  await confirm.getByRole('button', { name: 'Block', exact: true }).click();
  await expect(confirm).toBeHidden();

  // Alice's box says so, and has no composer to write in vain.
  await expect(aliceBox.getByText(`You blocked ${fullName(bob)}.`)).toBeVisible();
  await expect(aliceBox.getByRole('textbox', { name: 'Message', exact: true })).toHaveCount(0);
  await screenshot(alicePage, 'blocked-box-1280');

  // Bob is not told, but what he writes is refused, and he sees why.
  await sendMessage(bobBox, 'Hello?');
  await expect(messagesWith(bobBox, 'Hello?')).toContainText("Not sent: You can't message this person.");
  await expect(messagesWith(aliceBox, 'Hello?')).toHaveCount(0);

  // The settings list him, loaded as the first page of a visit too; unblocked there, Alice can write again.
  await openSettings(alicePage);
  await alicePage.reload();
  const blocked = alicePage.getByRole('list', { name: 'Blocked people' });
  await expect(blocked.getByRole('listitem')).toHaveCount(1);
  await blocked.getByRole('button', { name: `Unblock ${fullName(bob)}`, exact: true }).click();
  await expect(alicePage.getByRole('status').filter({ hasText: `${fullName(bob)} is unblocked.` })).toBeVisible();
  await expect(alicePage.getByText('You have not blocked anyone.')).toBeVisible();
  await alicePage.getByRole('link', { name: 'Back to chats' }).click();
  const box = chatBox(alicePage, bob);
  await expect(box.getByRole('textbox', { name: 'Message', exact: true })).toBeVisible();
  await sendAndConfirm(box, 'Sorry, wrong button');
  await expect(messagesWith(bobBox, 'Sorry, wrong button')).toHaveCount(1);
});

test('Kim’s new password logs her other device out, as revoking it does; her account deleted, Noa sees “Deleted user”', async ({ openPage }) => {
  const noaPage = await openPage();
  const noa = newPerson('Noa');
  await signUp(noaPage, noa);
  const kimPage = await openPage();
  const kim = newPerson('Kim');
  await signUp(kimPage, kim);
  await sendAndConfirm(await openChatWith(kimPage, noa), 'Moving away, bye!');
  await expect(chatRow(noaPage, kim)).toBeVisible();
  const otherDevice = await openPage();
  await logIn(otherDevice, kim);

  await openSettings(kimPage);
  const sessions = kimPage.getByRole('list', { name: 'Where you are logged in' });
  await expect(sessions.getByRole('listitem')).toHaveCount(2);

  // A wrong current password is said beside its field, which takes the keyboard.
  const current = kimPage.getByLabel('Current password', { exact: true });
  await current.fill('not my password');
  const newPassword = `${kim.password}-renewed`;
  await kimPage.getByLabel('New password', { exact: true }).fill(newPassword);
  await kimPage.getByRole('button', { name: 'Change password', exact: true }).click();
  await expect(kimPage.getByText('Current password is wrong')).toBeVisible();
  await expect(current).toBeFocused();

  await current.fill(kim.password);
  await kimPage.getByRole('button', { name: 'Change password', exact: true }).click();
  await expect(kimPage.getByRole('status').filter({ hasText: 'Your password is changed. Your other sessions were logged out.' })).toBeVisible();
  await expect(otherDevice).toHaveURL(/\/login$/);
  await expect(sessions.getByRole('listitem')).toHaveCount(1);

  // Logged in again there, then revoked from here: logged out again.
  await logIn(otherDevice, { ...kim, password: newPassword });
  await kimPage.reload();
  await expect(sessions.getByRole('listitem')).toHaveCount(2);
  await sessions.getByRole('button', { name: /^Revoke Chrome on Linux, / }).click();
  await expect(kimPage.getByRole('status').filter({ hasText: 'Chrome on Linux is logged out.' })).toBeVisible();
  await expect(sessions.getByRole('listitem')).toHaveCount(1);
  await expect(otherDevice).toHaveURL(/\/login$/);

  await kimPage.getByRole('button', { name: 'Delete account…', exact: true }).click();
  const dialog = kimPage.getByRole('dialog', { name: 'Delete your account?' });
  await dialog.getByLabel('Password', { exact: true }).fill(newPassword);
  await dialog.getByRole('button', { name: 'Delete account', exact: true }).click();
  await expect(kimPage).toHaveURL(/\/login$/);
  await expect(kimPage.getByRole('heading', { name: 'Log in to Parley' })).toBeVisible();

  // Noa's chat with her stays, under the name the server gives a deleted account.
  await expect(chatsList(noaPage).getByRole('button', { name: /^Chat with Deleted user/ })).toBeVisible();
});
