import { chatsList, connectClient, expect, newPerson, registerByApi, roomBox, screenshot, sendOver, sessionOf, signUp, test, uniqueName } from './support';

test('a group room shows a run of one author under one name and avatar, with the time of its last message', async ({ openPage, baseURL, request }) => {
  const bob = newPerson('Bob');
  const page = await openPage({ viewport: { width: 1280, height: 800 } });
  await signUp(page, bob);
  const { token: bobToken } = await sessionOf(page);
  const [carolSocket, danSocket, bobSocket] = await Promise.all([
    registerByApi(request, newPerson('Carol')).then(({ token }) => connectClient(baseURL!, token)),
    registerByApi(request, newPerson('Dan')).then(({ token }) => connectClient(baseURL!, token)),
    connectClient(baseURL!, bobToken),
  ]);
  const name = uniqueName('Climbing');
  try {
    const room = await carolSocket.timeout(5000).emitWithAck('room:create', { name });
    if (!room.ok) throw new Error(room.error.message);
    for (const socket of [danSocket, bobSocket]) {
      expect(await socket.timeout(5000).emitWithAck('room:join', { roomId: room.room.id })).toMatchObject({ ok: true });
    }
    for (const text of ['Who is in on Saturday?', 'The forecast says sun', 'Meet at the crag at nine']) await sendOver(carolSocket, room.room.id, text);
    await sendOver(danSocket, room.room.id, 'Count me in');
    await sendOver(carolSocket, room.room.id, 'Great, see you there');
  } finally {
    for (const socket of [carolSocket, danSocket, bobSocket]) socket.disconnect();
  }

  await chatsList(page).getByRole('button', { name: new RegExp(`^Open room ${name}`) }).click();
  const box = roomBox(page, name);
  const messages = box.locator('li.message');
  await expect(messages).toHaveCount(5);
  // Three runs: Carol's three messages, Dan's, Carol's again; each named once, with its author's avatar.
  await expect(box.locator('.author bdi')).toHaveText([/^Carol /, /^Dan /, /^Carol /]);
  await expect(box.locator('.author-avatar')).toHaveCount(3);
  // Inside a run only the last time shows; the others appear on hover.
  const timeShown = (index: number) => messages.nth(index).locator('time').evaluate((time) => time.getBoundingClientRect().width > 1);
  expect(await Promise.all([0, 1, 2, 3, 4].map(timeShown))).toEqual([false, false, true, true, true]);
  await messages.nth(0).hover();
  expect(await timeShown(0)).toBe(true);
  await page.mouse.move(0, 0);
  await screenshot(page, 'message-runs-1280');

  await page.setViewportSize({ width: 360, height: 740 });
  await expect(box.locator('.author-avatar')).toHaveCount(3);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await screenshot(page, 'message-runs-360');
});
