import { chatsList, expect, newPerson, roomBox, screenshot, seedGroupConversation, signUp, test } from './support';

test('a group room shows a run of one author under one name and avatar, with the time of its last message', async ({ openPage, baseURL, request }) => {
  const page = await openPage({ viewport: { width: 1280, height: 800 } });
  await signUp(page, newPerson('Bob'));
  const name = await seedGroupConversation(page, request, baseURL!, {
    room: 'Climbing',
    others: ['Carol', 'Dan'],
    messages: [
      ['Carol', 'Who is in on Saturday?'],
      ['Carol', 'The forecast says sun'],
      ['Carol', 'Meet at the crag at nine'],
      ['Dan', 'Count me in'],
      ['Carol', 'Great, see you there'],
    ],
  });

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
