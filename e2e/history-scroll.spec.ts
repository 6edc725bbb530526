import { io } from 'socket.io-client';
import { expect, fullName, messagesWith, newPerson, openChatWith, signUp, test } from './support';

test('scrolling up loads older messages without moving what is on screen, back to the first one', async ({ openPage, baseURL }) => {
  const kim = newPerson('Kim');
  const leo = newPerson('Leo');
  const kimPage = await openPage();
  const leoPage = await openPage();
  await signUp(kimPage, kim);
  await signUp(leoPage, leo);

  // Leo writes 45 messages from another client, straight over the protocol (under the 50 events a second
  // a socket may send): the latest 10 come with the chat, then two pages of older ones.
  const token = (await leoPage.context().cookies()).find((cookie) => cookie.name === 'parley_session')!.value;
  const kimId = (await (await kimPage.request.get('/api/me')).json()).user.id as number;
  const socket = io(baseURL!, { transports: ['websocket'], auth: { token }, reconnection: false });
  try {
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
    const opened = await socket.timeout(5000).emitWithAck('dm:open', { userId: kimId });
    for (let i = 1; i <= 45; i++) {
      const ack = await socket.timeout(5000).emitWithAck('message:send', { roomId: opened.room.id, clientId: `scroll-${i}`, body: `line ${i}` });
      expect(ack, `message ${i}`).toMatchObject({ ok: true });
    }
  } finally {
    socket.disconnect();
  }

  // Kim comes back later and opens the chat: the latest messages, then older ones as she scrolls up.
  await kimPage.reload();
  const box = await openChatWith(kimPage, leo);
  await expect(box).toHaveAccessibleName(`Chat with ${fullName(leo)}`);
  await expect(messagesWith(box, 'line 45')).toBeVisible();
  const scroller = box.locator('.scroller');
  const loaded = box.locator('li.message');
  const before = await loaded.count();
  expect(before).toBeLessThan(45);

  // Scroll to the top and, in the same breath (before any answer can arrive), note where the top message is.
  const anchorBody = await loaded.first().locator('.body').innerText();
  const yBefore = await scroller.evaluate((element, body) => {
    element.scrollTo({ top: -element.scrollHeight });
    const anchor = [...element.querySelectorAll('li.message')].find((li) => li.querySelector('.body')?.textContent === body)!;
    return anchor.getBoundingClientRect().y;
  }, anchorBody);
  await expect.poll(() => loaded.count()).toBeGreaterThan(before);
  // That message is still exactly where it was: nothing jumped.
  const anchor = loaded.filter({ has: kimPage.locator('.body', { hasText: new RegExp(`^${anchorBody}$`) }) });
  await expect(anchor).toHaveCount(1);
  expect(Math.abs((await anchor.boundingBox())!.y - yBefore)).toBeLessThanOrEqual(1);

  // Keep scrolling up until the beginning: every message once, in order.
  for (let round = 0; round < 10 && !(await box.getByText('This is the beginning of the conversation.').isVisible()); round++) {
    const count = await loaded.count();
    await scroller.evaluate((element) => element.scrollTo({ top: -element.scrollHeight }));
    await expect.poll(async () => (await loaded.count()) > count || (await box.getByText('This is the beginning of the conversation.').count()) > 0).toBe(true);
  }
  await expect(box.getByText('This is the beginning of the conversation.')).toBeVisible();
  const bodies = await box.locator('li.message .body').allInnerTexts();
  expect(bodies).toEqual(Array.from({ length: 45 }, (_, i) => `line ${i + 1}`));
});
