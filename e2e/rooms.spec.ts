import { io } from 'socket.io-client';
import type { AuthResponse } from '@parley/protocol';
import { createRoom, expect, newPerson, roomBox, screenshot, showView, signUp, test, uniqueName } from './support';

test('the rooms to join are searched by name and come a page at a time', async ({ openPage, baseURL, request }) => {
  // 30 rooms whose names start alike, made over the protocol by three people (one may make 10 in 10 minutes).
  const shelf = uniqueName('Shelf');
  const names = Array.from({ length: 30 }, (_, i) => `${shelf} ${String(i + 1).padStart(2, '0')}`);
  for (let maker = 0; maker < 3; maker++) {
    const person = newPerson('Maker');
    const response = await request.post('/api/auth/register', { data: person });
    expect(response.status()).toBe(201);
    const { token } = (await response.json()) as AuthResponse;
    const socket = io(baseURL!, { transports: ['websocket'], auth: { token }, reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
      for (const name of names.slice(maker * 10, maker * 10 + 10)) {
        expect(await socket.timeout(5000).emitWithAck('room:create', { name })).toMatchObject({ ok: true });
      }
    } finally {
      socket.disconnect();
    }
  }

  const reader = newPerson('Reader');
  const page = await openPage();
  await signUp(page, reader);
  const joinButtons = page.getByRole('button', { name: new RegExp(`^Join room ${shelf} \\d\\d$`) });

  // The search ignores case; the first page holds 25 rooms, the rest come on asking.
  await showView(page, 'Rooms');
  await page.getByLabel('Search rooms', { exact: true }).fill(shelf.toUpperCase());
  await expect(joinButtons).toHaveCount(25);
  await expect(joinButtons.first()).toHaveAccessibleName(`Join room ${names[0]}`);
  await screenshot(page, 'rooms-search');
  await page.getByRole('button', { name: 'Load more rooms', exact: true }).click();
  await expect(joinButtons).toHaveCount(30);
  await expect(joinButtons.last()).toHaveAccessibleName(`Join room ${names[29]}`);
  await expect(page.getByRole('button', { name: 'Load more rooms', exact: true })).toBeHidden();

  // Joining one moves it to my rooms.
  await joinButtons.first().click();
  await expect(page.getByRole('button', { name: `Open room ${names[0]}`, exact: true })).toBeVisible();
  await showView(page, 'Rooms');
  await expect(joinButtons).toHaveCount(29);

  await page.getByLabel('Search rooms', { exact: true }).fill(`${shelf} 1`);
  await expect(joinButtons).toHaveCount(10);
});

test('"New room" is a dialog: it takes the keyboard, Escape puts it away and gives the focus back, a taken name is refused in it', async ({
  openPage,
}) => {
  const page = await openPage();
  await signUp(page, newPerson('Ivy'));
  await showView(page, 'Rooms');
  const opener = page.getByRole('button', { name: 'New room', exact: true });
  const dialog = page.getByRole('dialog', { name: 'New room' });
  await expect(dialog).toBeHidden();

  await opener.click();
  await expect(dialog.getByLabel('Room name', { exact: true })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();

  const name = uniqueName('Knitting');
  await createRoom(page, name);
  await expect(roomBox(page, name)).toBeVisible();
  // The room is one of my chats now: the sidebar shows them.
  await expect(page.getByRole('tab', { name: 'Chats', exact: true })).toHaveAttribute('aria-selected', 'true');
  await showView(page, 'Rooms');
  await opener.click();
  await dialog.getByLabel('Room name', { exact: true }).fill(name);
  await dialog.getByRole('button', { name: 'Create room', exact: true }).click();
  await expect(dialog.getByText(/taken|exists/i)).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
});
