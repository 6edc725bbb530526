import {
  DOCKED,
  chatBox,
  connectClient,
  expect,
  expectAccessible,
  logIn,
  messagesWith,
  newPerson,
  openChatWith,
  registerByApi,
  screenshot,
  sendAndConfirm,
  sendMessage,
  signUp,
  test,
  type Page,
  type Person,
} from './support';

/** Alice and Bob, each on a page of their own, with their chat open on both. */
async function aliceAndBob(openPage: () => Promise<Page>) {
  const alice = newPerson('Alice');
  const bob = newPerson('Bob');
  const alicePage = await openPage();
  const bobPage = await openPage();
  await signUp(alicePage, alice);
  await signUp(bobPage, bob);
  const aliceBox = await openChatWith(alicePage, bob);
  await sendAndConfirm(aliceBox, 'Hello Bob, this is a typo-ridden mesage');
  const bobBox = chatBox(bobPage, alice);
  await expect(messagesWith(bobBox, 'typo-ridden mesage')).toBeVisible();
  return { alice, bob, alicePage, bobPage, aliceBox, bobBox };
}

/** Opens a message's actions menu by its button, shown on hover. */
async function openActions(message: ReturnType<typeof messagesWith>) {
  await message.hover();
  await message.getByRole('button', { name: 'Message actions' }).click();
  return message.page().locator('[popover]:popover-open');
}

test.describe('changing messages', () => {
  test('Alice edits, and Bob sees the new text marked "(edited)" at once', async ({ openPage }) => {
    const { aliceBox, bobBox } = await aliceAndBob(openPage);
    const mine = messagesWith(aliceBox, 'typo-ridden mesage');

    await (await openActions(mine)).getByRole('button', { name: 'Edit' }).click();
    const editor = aliceBox.getByRole('textbox', { name: 'Edit message' });
    await expect(editor).toBeFocused();
    await editor.fill('Hello Bob, this is a **fixed** message');
    await editor.press('Enter');

    const bobsCopy = messagesWith(bobBox, 'fixed message');
    await expect(bobsCopy).toContainText('(edited)');
    await expect(bobsCopy.locator('strong')).toHaveText('fixed');
    await expect(messagesWith(bobBox, 'mesage')).toHaveCount(0);
    await expect(messagesWith(aliceBox, 'fixed message')).toContainText('(edited)');
  });

  test('Up-arrow in an empty composer edits my last message, by keyboard alone', async ({ openPage }) => {
    const { aliceBox, bobBox } = await aliceAndBob(openPage);
    const composer = aliceBox.getByRole('textbox', { name: 'Message', exact: true });
    await composer.focus();
    await composer.press('ArrowUp');
    const editor = aliceBox.getByRole('textbox', { name: 'Edit message' });
    await expect(editor).toBeFocused();
    await editor.fill('Hello Bob, by keyboard');
    await editor.press('Enter');
    await expect(messagesWith(bobBox, 'by keyboard')).toContainText('(edited)');
    await expect(composer).toBeFocused();
  });

  test('Bob reacts, and Alice sees the chip; a click on it toggles hers', async ({ openPage }) => {
    const { alicePage, aliceBox, bobBox } = await aliceAndBob(openPage);
    const bobsCopy = messagesWith(bobBox, 'typo-ridden mesage');

    await (await openActions(bobsCopy)).getByRole('button', { name: 'React with 🎉' }).click();
    await expect(bobsCopy.getByRole('button', { name: '🎉 1 person, you among them' })).toHaveAttribute('aria-pressed', 'true');

    const alicesCopy = messagesWith(aliceBox, 'typo-ridden mesage');
    const chip = alicesCopy.getByRole('button', { name: /^🎉 1 person$/ });
    await expect(chip).toHaveAttribute('aria-pressed', 'false');
    await chip.click();
    await expect(alicesCopy.getByRole('button', { name: '🎉 2 people, you among them' })).toHaveAttribute('aria-pressed', 'true');
    await expect(bobsCopy.getByRole('button', { name: '🎉 2 people, you among them' })).toBeVisible();
    await expectAccessible(alicePage, 'a message with reactions');

    // A reaction found by search.
    const menu = await openActions(bobsCopy);
    await menu.getByRole('button', { name: 'More reactions…' }).click();
    await menu.getByRole('searchbox', { name: 'Search emoji' }).fill('rocket');
    await menu.getByRole('searchbox', { name: 'Search emoji' }).press('Enter');
    await expect(alicesCopy.getByRole('button', { name: /^🚀 1 person$/ })).toBeVisible();
  });

  test('Alice deletes a message after confirming, and Bob’s reloaded page shows the tombstone', async ({ openPage }) => {
    const { alice, aliceBox, bobPage, bobBox } = await aliceAndBob(openPage);
    await sendAndConfirm(aliceBox, 'this one stays');

    await (await openActions(messagesWith(aliceBox, 'typo-ridden mesage'))).getByRole('button', { name: 'Delete' }).click();
    const dialog = aliceBox.page().getByRole('dialog', { name: 'Delete this message?' });
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(aliceBox.locator('.tombstone')).toHaveText('This message was deleted');
    await expect(bobBox.locator('.tombstone')).toHaveText('This message was deleted');

    await bobPage.reload();
    const reloaded = chatBox(bobPage, alice);
    await expect(reloaded.locator('.tombstone')).toHaveText('This message was deleted');
    await expect(reloaded.getByText('typo-ridden')).toHaveCount(0);
    await expect(messagesWith(reloaded, 'this one stays')).toBeVisible();
  });

  test('a reply shows its quote, and a click on the quote brings an original that was not loaded into view', async ({ openPage, request, baseURL }) => {
    // A docked box, which a few pages of history fill: the original stays unloaded until it is sought.
    const alice = newPerson('Alice');
    const bob: Person = newPerson('Bob');
    const bobAuth = await registerByApi(request, bob);
    // Written before Alice's page is open, so that it has heard none of it.
    const { token } = await registerByApi(request, alice);
    const socket = await connectClient(baseURL!, token);
    try {
      const opened = await socket.timeout(5000).emitWithAck('dm:open', { userId: bobAuth.user.id });
      if (!opened.ok) throw new Error(opened.error.message);
      const roomId = opened.room.id;
      const send = async (body: string, replyToId?: number) => {
        const payload = { roomId, clientId: `e2e-${Math.random().toString(36).slice(2)}`, body, replyToId };
        // One person sending this many at once is asked to slow down: as a client should, it waits and sends again.
        for (let tries = 0; ; tries++) {
          const ack = await socket.timeout(5000).emitWithAck('message:send', payload);
          if (ack.ok) return ack.message;
          if (ack.error.code !== 'rate_limited' || tries === 10) throw new Error(ack.error.message);
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      };
      const original = await send('The original question, long ago');
      for (let i = 1; i <= 50; i++) await send(`filler ${i}`);
      await send('Answering that at last', original.id);
    } finally {
      socket.disconnect();
    }

    const alicePage = await openPage({ viewport: DOCKED });
    await logIn(alicePage, alice);
    const box = await openChatWith(alicePage, bob);
    const reply = messagesWith(box, 'Answering that at last');
    await expect(messagesWith(box, 'The original question')).toHaveCount(0);
    await reply.getByRole('button', { name: /^Replying to Alice \S+ The original question, long ago$/ }).click();
    const original = messagesWith(box, 'The original question, long ago');
    await expect(original).toBeInViewport();

    // Replying from the menu: the composer shows the quote, which can be cancelled.
    await (await openActions(original)).getByRole('button', { name: 'Reply' }).click();
    const composer = box.getByRole('textbox', { name: 'Message', exact: true });
    await expect(composer).toBeFocused();
    await expect(box.locator('.replying')).toContainText('Replying to Alice');
    await composer.fill('Yes, that one');
    await composer.press('Enter');
    const answer = messagesWith(box, 'Yes, that one');
    await expect(answer.getByRole('button', { name: /^Replying to Alice \S+ The original question, long ago$/ })).toBeVisible();
    await expect(box.locator('.replying')).toHaveCount(0);
  });
});

test('screenshots: replies, reactions, an edit and a deletion, and the actions menu, at 1280 and 360 px, light and dark', async ({ openPage }) => {
  const { alicePage, aliceBox, bobBox } = await aliceAndBob(openPage);
  await sendMessage(aliceBox, 'Are we still on for **Friday**? I booked `table 4`');
  const bobsCopy = messagesWith(bobBox, 'I booked table 4');
  await (await openActions(bobsCopy)).getByRole('button', { name: 'React with 👍' }).click();
  await (await openActions(bobsCopy)).getByRole('button', { name: 'Reply' }).click();
  await sendAndConfirm(bobBox, 'Yes! See you at 8');
  await (await openActions(messagesWith(aliceBox, 'See you at 8'))).getByRole('button', { name: 'React with 🎉' }).click();
  const typo = messagesWith(aliceBox, 'typo-ridden');
  await (await openActions(typo)).getByRole('button', { name: 'Delete' }).click();
  await alicePage.getByRole('dialog', { name: 'Delete this message?' }).getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(aliceBox.locator('.tombstone')).toBeVisible();
  const booked = messagesWith(aliceBox, 'booked');
  await (await openActions(booked)).getByRole('button', { name: 'Edit' }).click();
  const editor = aliceBox.getByRole('textbox', { name: 'Edit message' });
  await editor.fill('Are we still on for **Friday**? I booked `table 4` at 8');
  await editor.press('Enter');
  await expect(messagesWith(aliceBox, 'at 8').first()).toContainText('(edited)');

  for (const width of [1280, 360]) {
    await alicePage.setViewportSize({ width, height: width === 360 ? 740 : 800 });
    for (const colorScheme of ['light', 'dark'] as const) {
      await alicePage.emulateMedia({ colorScheme });
      await expect(messagesWith(aliceBox, 'See you at 8').getByRole('button', { name: /^🎉 1 person/ })).toBeVisible();
      await screenshot(alicePage, `message-changes-${width}-${colorScheme}`);
      await expectAccessible(alicePage, `changed messages, ${width} px wide, ${colorScheme}`);
    }
  }
  // The menu open, with the composer answering a message.
  await (await openActions(messagesWith(aliceBox, 'See you at 8'))).getByRole('button', { name: 'Reply' }).click();
  await openActions(messagesWith(aliceBox, 'See you at 8'));
  await screenshot(alicePage, 'message-menu-360-dark');
  await expectAccessible(alicePage, 'the actions menu open, replying, 360 px wide, dark');
});
