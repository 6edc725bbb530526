import {
  connectClient,
  createRoom,
  expect,
  expectAccessible,
  newPerson,
  registerByApi,
  roomBox,
  screenshot,
  showView,
  signUp,
  test,
  uniqueName,
  type ProtocolClient,
} from './support';

/** Joins the room of that name over the protocol, as someone's other device would; its id. */
async function joinOver(socket: ProtocolClient, name: string): Promise<number> {
  const browsed = await socket.timeout(5000).emitWithAck('rooms:browse', { query: name });
  if (!browsed.ok) throw new Error(browsed.error.message);
  const roomId = browsed.rooms[0]!.id;
  expect(await socket.timeout(5000).emitWithAck('room:join', { roomId })).toMatchObject({ ok: true });
  return roomId;
}

test('Alice sees her room’s member count rise as Bob and Carol join, and each joining in the history, with no reload', async ({
  openPage,
  request,
  baseURL,
}) => {
  const page = await openPage();
  await signUp(page, newPerson('Alice'));
  const name = uniqueName('Members');
  await createRoom(page, name);
  const box = roomBox(page, name);
  const count = box.locator('header').getByText(/^\d+ members?$/);
  await expect(count).toHaveText('1 member');

  const bob = newPerson('Bob');
  const carol = newPerson('Carol');
  const sockets = await Promise.all([bob, carol].map(async (person) => connectClient(baseURL!, (await registerByApi(request, person)).token)));
  try {
    const roomId = await joinOver(sockets[0]!, name);
    await expect(count).toHaveText('2 members');
    await expect(box.getByRole('listitem').filter({ hasText: `${bob.firstName} ${bob.lastName} joined` })).toHaveCount(1);

    await joinOver(sockets[1]!, name);
    await expect(count).toHaveText('3 members');
    await expect(box.getByRole('listitem').filter({ hasText: `${carol.firstName} ${carol.lastName} joined` })).toHaveCount(1);

    expect(await sockets[0]!.timeout(5000).emitWithAck('room:leave', { roomId })).toMatchObject({ ok: true });
    await expect(count).toHaveText('2 members');
    await expect(box.getByRole('listitem').filter({ hasText: `${bob.firstName} ${bob.lastName} left` })).toHaveCount(1);
    // Notices open nothing and are not messages: the box still holds no bubble.
    await expect(box.locator('li.message')).toHaveCount(0);
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
});

test('a room’s menu lists its members with their roles and who is online, and leaves the room, by keyboard too', async ({
  openPage,
  request,
  baseURL,
}) => {
  const page = await openPage();
  const alice = newPerson('Alice');
  await signUp(page, alice);
  const name = uniqueName('Menu');
  await createRoom(page, name);
  const box = roomBox(page, name);
  const bob = newPerson('Bob');
  const bobsDevice = await connectClient(baseURL!, (await registerByApi(request, bob)).token);
  try {
    const roomId = await joinOver(bobsDevice, name);
    await expect(box.getByText('2 members', { exact: true })).toBeVisible();

    const menuButton = box.getByRole('button', { name: `Menu of room ${name}`, exact: true });
    await menuButton.click();
    await page.getByRole('button', { name: 'Members (2)', exact: true }).click();
    const members = page.getByRole('dialog', { name: `Members of ${name}` });
    await expect(members.getByRole('listitem')).toHaveCount(2);
    await expect(members.getByRole('listitem').first()).toContainText(`${alice.firstName} ${alice.lastName}`);
    await expect(members.getByRole('listitem').first()).toContainText('Owner');
    await expect(members.getByRole('listitem').nth(1)).toContainText(`@${bob.username}, online`);
    await expectAccessible(page, 'the members dialog');
    await screenshot(page, 'members-dialog-1280');

    // Escape closes the dialog alone, and the keyboard is back on the menu's button.
    await page.keyboard.press('Escape');
    await expect(members).toBeHidden();
    await expect(box).toBeVisible();
    await expect(menuButton).toBeFocused();

    // On a phone the menu opens under its button, over the box that fills the screen.
    await page.setViewportSize({ width: 360, height: 740 });
    await menuButton.click();
    await expect(page.getByRole('button', { name: 'Leave room', exact: true })).toBeVisible();
    await screenshot(page, 'room-menu-360');
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1280, height: 800 });
    // Wide again, the chat moves to the stage, drawn anew: the keyboard goes to its button once it is there.
    await expect(page.locator('app-chat-box.staged')).toHaveCount(1);
    await menuButton.focus();
    await expect(menuButton).toBeFocused();

    // Leaving, by keyboard: the menu opens on Enter with the keyboard on its first item; Escape closes it alone.
    await page.keyboard.press('Enter');
    const leaveItem = page.getByRole('button', { name: 'Leave room', exact: true });
    await expect(leaveItem).toBeVisible();
    await expect(page.getByRole('button', { name: 'Members (2)', exact: true })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(leaveItem).toBeHidden();
    await expect(box).toBeVisible();
    await expect(menuButton).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('button', { name: 'Members (2)', exact: true })).toBeFocused();
    // Members, Mute, Room settings (she owns it), Leave room.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    await expect(leaveItem).toBeFocused();
    const bobHears = new Promise((resolve) => bobsDevice.on('room:member', resolve));
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: `Leave ${name}?` });
    await expect(confirm).toBeVisible();
    await expectAccessible(page, 'the leave dialog');
    await confirm.getByRole('button', { name: 'Leave room', exact: true }).click();
    await expect(box).toBeHidden();
    expect(await bobHears).toMatchObject({ roomId, change: 'left', memberCount: 1 });
    await expect(page.getByRole('button', { name: new RegExp(`Open room ${name}`) })).toHaveCount(0);
    await expect(page.locator('body')).not.toBeFocused();
  } finally {
    bobsDevice.disconnect();
  }
});

test('Alice removes Carol: Carol’s box says she was removed, and the room leaves her Chats list', async ({ openPage }) => {
  const alicePage = await openPage();
  const alice = newPerson('Alice');
  await signUp(alicePage, alice);
  const name = uniqueName('Removal');
  await createRoom(alicePage, name);
  const aliceBox = roomBox(alicePage, name);

  const carolPage = await openPage();
  const carol = newPerson('Carol');
  await signUp(carolPage, carol);
  await showView(carolPage, 'Rooms');
  await carolPage.getByLabel('Search rooms', { exact: true }).fill(name);
  await carolPage.getByRole('button', { name: `Join room ${name}`, exact: true }).click();
  const carolBox = roomBox(carolPage, name);
  await expect(carolBox.getByRole('textbox', { name: 'Message', exact: true })).toBeVisible();
  await expect(aliceBox.getByText('2 members', { exact: true })).toBeVisible();
  // A plain member's list has no "Remove".
  await carolBox.getByRole('button', { name: `Menu of room ${name}`, exact: true }).click();
  await carolPage.getByRole('button', { name: 'Members (2)', exact: true }).click();
  await expect(carolPage.getByRole('dialog', { name: `Members of ${name}` }).getByRole('listitem')).toHaveCount(2);
  await expect(carolPage.getByRole('button', { name: /^Remove / })).toHaveCount(0);
  await carolPage.keyboard.press('Escape');

  await aliceBox.getByRole('button', { name: `Menu of room ${name}`, exact: true }).click();
  await alicePage.getByRole('button', { name: 'Members (2)', exact: true }).click();
  const members = alicePage.getByRole('dialog', { name: `Members of ${name}` });
  await members.getByRole('button', { name: `Remove ${carol.firstName} ${carol.lastName}`, exact: true }).click();
  const confirm = alicePage.getByRole('dialog', { name: `Remove ${carol.firstName} ${carol.lastName}?` });
  await expectAccessible(alicePage, 'the remove dialog');
  await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(confirm).toBeHidden();
  await expect(members.getByRole('listitem')).toHaveCount(1);
  await alicePage.keyboard.press('Escape');
  await expect(aliceBox.getByText('1 member', { exact: true })).toBeVisible();
  await expect(aliceBox.getByRole('listitem').filter({ hasText: `You removed ${carol.firstName} ${carol.lastName}` })).toHaveCount(1);

  await expect(carolBox.getByRole('status').filter({ hasText: 'You were removed from this room.' })).toBeVisible();
  await expect(carolBox.getByRole('textbox', { name: 'Message', exact: true })).toHaveCount(0);
  await expect(carolBox.getByRole('listitem').filter({ hasText: `${alice.firstName} ${alice.lastName} removed you` })).toHaveCount(1);
  await expectAccessible(carolPage, 'a box of a room I was removed from');
  await screenshot(carolPage, 'removed-1280');
  await showView(carolPage, 'Chats');
  await expect(carolPage.getByRole('button', { name: new RegExp(`Open room ${name}`) })).toHaveCount(0);
  await carolBox.getByRole('button', { name: `Close Room ${name}`, exact: true }).click();
  await expect(carolBox).toBeHidden();
});

test('the owner renames the room, gives it a password, names a moderator and deletes the room, from its menu', async ({
  openPage,
  request,
  baseURL,
}) => {
  const page = await openPage();
  await signUp(page, newPerson('Olive'));
  const name = uniqueName('Owned');
  await createRoom(page, name);
  const bob = newPerson('Bob');
  const bobsDevice = await connectClient(baseURL!, (await registerByApi(request, bob)).token);
  try {
    const roomId = await joinOver(bobsDevice, name);

    await roomBox(page, name).getByRole('button', { name: `Menu of room ${name}`, exact: true }).click();
    await page.getByRole('button', { name: 'Room settings', exact: true }).click();
    const settings = page.getByRole('dialog', { name: `Settings of ${name}` });
    const renamed = `${name} renamed`;
    await settings.getByLabel('Room name', { exact: true }).fill(renamed);
    await settings.getByLabel('Password', { exact: true }).fill('open sesame');
    await expectAccessible(page, 'the room settings dialog');
    await screenshot(page, 'room-settings-1280');
    const bobHearsUpdate = new Promise((resolve) => bobsDevice.once('room:updated', resolve));
    await settings.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(settings).toBeHidden();
    expect(await bobHearsUpdate).toEqual({ roomId, name: renamed, protected: true });
    const box = roomBox(page, renamed);
    await expect(box).toBeVisible();
    const menuButton = box.getByRole('button', { name: `Menu of room ${renamed}`, exact: true });
    await expect(menuButton).toBeFocused();

    await menuButton.click();
    await page.getByRole('button', { name: 'Members (2)', exact: true }).click();
    const members = page.getByRole('dialog', { name: `Members of ${renamed}` });
    await members.getByRole('button', { name: `Make moderator: ${bob.firstName} ${bob.lastName}`, exact: true }).click();
    await expect(members.getByRole('listitem').nth(1)).toContainText('Moderator');
    await expect(members.getByRole('button', { name: `Make member again: ${bob.firstName} ${bob.lastName}`, exact: true })).toBeVisible();
    await page.keyboard.press('Escape');

    await menuButton.click();
    await page.getByRole('button', { name: 'Room settings', exact: true }).click();
    await settings.getByRole('button', { name: 'Delete room', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: `Delete ${renamed}?` });
    const bobHearsDelete = new Promise((resolve) => bobsDevice.once('room:deleted', resolve));
    await confirm.getByRole('button', { name: 'Delete room', exact: true }).click();
    expect(await bobHearsDelete).toEqual({ roomId });
    await expect(box).toBeHidden();
    await expect(page.getByRole('button', { name: new RegExp(`Open room ${name}`) })).toHaveCount(0);
  } finally {
    bobsDevice.disconnect();
  }
});
