import type { Page } from '@playwright/test';
import { expect, newPerson, registerByApi, screenshot, test } from './support';

/**
 * The page's frame in index.html (the "shell"), drawn before any script has come, against the page Angular then
 * draws in its place: what the frame shows must be where the page shows it, with the same words, or the page would
 * jump as it arrives. Each pair is the frame's element and the page's.
 */
const LOG_IN = {
  path: '/login',
  pairs: [
    ['.shell main', 'app-auth-page main'],
    ['.shell h1', 'app-auth-page h1'],
    ['.shell .input >> nth=0', 'app-auth-page input >> nth=0'],
    ['.shell .input >> nth=1', 'app-auth-page input >> nth=1'],
    ['.shell .submit', 'app-auth-page button[type=submit]'],
    ['.shell .alternative', 'app-auth-page .alternative'],
  ],
  text: ['.shell main', 'app-auth-page main'],
} as const;

const SIGN_UP = {
  path: '/signup',
  pairs: [...LOG_IN.pairs, ['.shell .input >> nth=3', 'app-auth-page input >> nth=3'], ['.shell .field-hint >> nth=1', 'app-auth-page .field-hint >> nth=1']],
  text: LOG_IN.text,
} as const;

const MAIN = {
  path: '/',
  pairs: [
    ['.shell .topbar', 'app-main-page .topbar'],
    ['.shell .topbar h1', 'app-main-page .topbar h1'],
    ['.shell .views', 'app-main-page .views'],
    ['.shell .view-tab >> nth=1', 'app-main-page .view-tab >> nth=1'],
    ['.shell h2', 'app-chats-list h2'],
  ],
  text: ['.shell .views', 'app-main-page .views'],
} as const;

type Shape = typeof LOG_IN | typeof SIGN_UP | typeof MAIN;

const VIEWPORTS = [
  { width: 360, height: 740 },
  { width: 1280, height: 800 },
];

/** The words shown, however they are spaced (a field drawn in the frame holds a no-break space). */
const words = (text: string) => text.replace(/\s+/g, ' ').trim();

async function boxes(page: Page, selectors: readonly string[]) {
  return Promise.all(
    selectors.map(async (selector) => {
      const box = (await page.locator(selector).boundingBox())!;
      return { selector, x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) };
    }),
  );
}

/** The page's code held on its way, never answered: as on a slow network, before it has come. */
const holdTheCode = (page: Page) => page.route(/\/main-[A-Z0-9]+\.js$/, () => undefined);

/** The frame alone. */
async function frameOf(page: Page, shape: Shape) {
  await holdTheCode(page);
  await page.goto(shape.path);
  await expect(page.locator(shape.pairs[0][0])).toBeVisible();
  return {
    boxes: await boxes(page, shape.pairs.map(([frame]) => frame)),
    text: words(await page.locator(shape.text[0]).innerText()),
  };
}

async function pageOf(page: Page, shape: Shape) {
  await page.goto(shape.path);
  await expect(page.locator(shape.pairs[0][1])).toBeVisible();
  // Drawn whole: the main page's top bar has its buttons once it knows who is signed in.
  if (shape === MAIN) await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
  await expect(page.locator('.shell')).toHaveCount(0);
  return {
    boxes: await boxes(page, shape.pairs.map(([, drawn]) => drawn)),
    text: words(await page.locator(shape.text[1]).innerText()),
  };
}

/** Same place and size, within a pixel; selectors aside. */
function expectSameLayout(frame: Awaited<ReturnType<typeof boxes>>, drawn: Awaited<ReturnType<typeof boxes>>) {
  const strip = (list: typeof frame) => list.map(({ selector, ...box }) => box);
  const within = (a: number, b: number) => Math.abs(a - b) <= 1;
  const mismatches = frame.flatMap((box, i) => {
    const other = drawn[i]!;
    const same = within(box.x, other.x) && within(box.y, other.y) && within(box.width, other.width) && within(box.height, other.height);
    return same ? [] : [`${box.selector} ${JSON.stringify(strip([box])[0])} ≠ ${other.selector} ${JSON.stringify(strip([other])[0])}`];
  });
  expect(mismatches).toEqual([]);
}

for (const viewport of VIEWPORTS) {
  test.describe(`the frame drawn before the code comes, at ${viewport.width} px`, () => {
    for (const shape of [LOG_IN, SIGN_UP]) {
      test(`${shape.path} shows the form where the page draws it, with the same words`, async ({ openPage }) => {
        const framePage = await openPage({ viewport });
        const frame = await frameOf(framePage, shape);
        // Nothing in the frame can be used before the page is: nothing in it takes the keyboard.
        await framePage.keyboard.press('Tab');
        await expect(framePage.locator('.shell :focus')).toHaveCount(0);
        if (shape === LOG_IN && viewport.width === 360) await screenshot(framePage, 'shell-login-360');

        const drawn = await pageOf(await openPage({ viewport }), shape);
        expectSameLayout(frame.boxes, drawn.boxes);
        expect(frame.text).toBe(drawn.text);
      });
    }

    test('the main page, for someone signed in, shows its top bar, views and Chats list where the page draws them', async ({ openPage, request }) => {
      await registerByApi(request, newPerson('Shell'));
      const cookies = await request.storageState();

      const framePage = await openPage({ viewport, storageState: cookies });
      const frame = await frameOf(framePage, MAIN);
      await expect(framePage.locator('.shell')).toContainText('Loading your chats…');
      if (viewport.width === 360) await screenshot(framePage, 'shell-main-360');

      const drawnPage = await openPage({ viewport, storageState: cookies });
      const drawn = await pageOf(drawnPage, MAIN);
      expectSameLayout(frame.boxes, drawn.boxes);
      expect(frame.text).toBe(drawn.text);
      // The frame's "Loading your chats…" line is where the page's "No chats yet" comes, once the list has.
      await expect(drawnPage.locator('app-chats-list .empty')).toContainText('No chats yet');
      const loading = (await framePage.locator('.shell .empty').boundingBox())!;
      const empty = (await drawnPage.locator('app-chats-list .empty').boundingBox())!;
      expect(Math.round(empty.y)).toBe(Math.round(loading.y));
      if (viewport.width === 360) await screenshot(drawnPage, 'chats-empty-360');
    });
  });
}

test('without the cookie of a session, a visit to the main page draws the log-in frame, where it will end up', async ({ openPage }) => {
  const page = await openPage();
  await holdTheCode(page);
  await page.goto('/');
  await expect(page.locator('.shell h1')).toHaveText('Log in to Parley');
});

test('someone signed in who opens the log-in page gets the main page’s frame, where the app will take them', async ({ openPage, request }) => {
  await registerByApi(request, newPerson('Back'));
  const page = await openPage({ storageState: await request.storageState() });
  await holdTheCode(page);
  await page.goto('/login');
  await expect(page.locator('.shell .topbar h1')).toHaveText('Parley');
});

test('when the code cannot be loaded, the frame gives way to a message saying so', async ({ openPage }) => {
  const page = await openPage();
  await page.route(/\/main-[A-Z0-9]+\.js$/, (route) => route.abort());
  await page.goto('/login');
  await expect(page.getByRole('alert')).toHaveText('Parley could not be loaded. Check your connection, then reload the page.');
  await expect(page.locator('.shell')).toHaveCount(0);
});
