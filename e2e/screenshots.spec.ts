import {
  chatsList,
  connectClient,
  expect,
  expectAccessible,
  messagesWith,
  newPerson,
  registerByApi,
  roomBox,
  screenshot,
  seedGroupConversation,
  sessionOf,
  signUp,
  test,
} from './support';

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

/**
 * The settings page as someone who has logged in from a second device and blocked somebody sees it, whole, at a
 * desktop's width and a phone's, light and dark: e2e/screenshots/settings-<size>-<theme>.png.
 */
test('screenshots: the settings page at 1280×800 and 360×740, light and dark', async ({ openPage, baseURL, request }) => {
  const page = await openPage({ viewport: { width: 1280, height: 800 } });
  const kim = newPerson('Kim');
  await signUp(page, kim);
  const response = await request.post('/api/auth/login', {
    data: { username: kim.username, password: kim.password },
    headers: { 'User-Agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0' },
  });
  expect(response.status()).toBe(200);
  const noa = await registerByApi(request, newPerson('Noa'));
  const kimsDevice = await connectClient(baseURL!, (await sessionOf(page)).token);
  try {
    expect(await kimsDevice.timeout(5000).emitWithAck('user:block', { userId: noa.user.id, blocked: true })).toMatchObject({ ok: true });
  } finally {
    kimsDevice.disconnect();
  }

  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('list', { name: 'Where you are logged in' }).getByRole('listitem')).toHaveCount(2);
  await expect(page.getByRole('list', { name: 'Blocked people' }).getByRole('listitem')).toHaveCount(1);
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 360, height: 740 },
    ]) {
      await page.setViewportSize(viewport);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await screenshot(page, `settings-${viewport.width}x${viewport.height}-${theme}`, { fullPage: true });
      await expectAccessible(page, `the settings page at ${viewport.width}×${viewport.height}, ${theme}`);
    }
  }
});
