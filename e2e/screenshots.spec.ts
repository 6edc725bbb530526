import { chatsList, expect, expectAccessible, messagesWith, newPerson, roomBox, screenshot, seedGroupConversation, signUp, test } from './support';

/**
 * The screens as a new user sees them, at a desktop's width, a phone held sideways and a phone upright, in the
 * light theme and the dark one (which follows the system's setting): e2e/screenshots/product-<size>-<theme>.png.
 */
test('screenshots: a group conversation at 1280×800, 740×360 and 360×740, light and dark', async ({ openPage, baseURL, request }) => {
  const page = await openPage({ viewport: { width: 1280, height: 800 } });
  await signUp(page, newPerson('Kim'));
  const name = await seedGroupConversation(page, request, baseURL!, {
    room: 'Weekend trip',
    others: ['Noa', 'Omar'],
    messages: [
      ['Noa', 'The cabin is booked for Friday and Saturday!'],
      ['Noa', 'Who brings the board games?'],
      ['Omar', 'I will. And the big thermos.'],
      ['me', 'I can drive: three seats left in the car.'],
      ['Noa', 'Perfect, see you at 9 at the station.'],
    ],
  });

  await chatsList(page).getByRole('button', { name: new RegExp(`^Open room ${name}`) }).click();
  const box = roomBox(page, name);
  await expect(messagesWith(box, 'see you at 9')).toBeVisible();
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 740, height: 360 },
      { width: 360, height: 740 },
    ]) {
      await page.setViewportSize(viewport);
      await expect(box).toBeVisible();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await screenshot(page, `product-${viewport.width}x${viewport.height}-${theme}`);
      await expectAccessible(page, `a group conversation at ${viewport.width}×${viewport.height}, ${theme}`);
    }
  }
});
