import type { Locator, Page } from '@playwright/test';
import {
  chatBox,
  chatsList,
  connectClient,
  expect,
  expectAccessible,
  messagesWith,
  newPerson,
  openChatWith,
  registerByApi,
  screenshot,
  sendOver,
  sessionOf,
  showView,
  signUp,
  test,
} from './support';
import { XSS_CORPUS } from './xss-corpus';

declare global {
  interface Window {
    __xss?: number;
  }
}

/** What a message body may hold: the elements the Markdown renderer makes, and nothing else. */
const ALLOWED_ELEMENTS = new Set(['app-message-body', 'p', 'br', 'strong', 'em', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a']);
const ALLOWED_ATTRIBUTES = /^(?:dir|href|target|rel|start|tabindex|_ngcontent-.*|_nghost-.*)$/;

/**
 * Watches a page for script that should never run: `window.__xss`, set by the corpus's payloads, and the dialogs
 * that `alert`, `confirm` and `prompt` would open (each also sets the flag). Also lists every request that leaves
 * the app's origin.
 */
async function watch(page: Page, baseURL: string): Promise<{ dialogs: string[]; elsewhere: string[] }> {
  const dialogs: string[] = [];
  const elsewhere: string[] = [];
  await page.addInitScript(() => {
    window.__xss = 0;
    for (const name of ['alert', 'confirm', 'prompt'] as const) {
      Object.defineProperty(window, name, { value: () => (window.__xss = 1), writable: false });
    }
  });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const app = new URL(baseURL).host;
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.host !== app) elsewhere.push(request.url());
  });
  return { dialogs, elsewhere };
}

/** What is wrong in the bodies of a box's messages: elements, attributes and links that must never be there. */
function offences(box: Locator): Promise<string[]> {
  return box.locator('ol.messages').evaluate(
    (list, { elements, attributes }) => {
      const found: string[] = [];
      const allowedElements = new Set(elements);
      const allowedAttribute = new RegExp(attributes);
      for (const element of list.querySelectorAll('*')) {
        for (const { name } of element.attributes) if (name.startsWith('on')) found.push(`${element.localName} has ${name}`);
      }
      for (const body of list.querySelectorAll('.body')) {
        for (const element of body.querySelectorAll('*')) {
          if (!allowedElements.has(element.localName)) found.push(`a ${element.localName} element`);
          for (const { name } of element.attributes) if (!allowedAttribute.test(name)) found.push(`${element.localName} has ${name}`);
        }
        for (const link of body.querySelectorAll('a')) {
          const href = link.getAttribute('href') ?? '';
          if (!URL.canParse(href) || !['http:', 'https:', 'mailto:'].includes(new URL(href).protocol)) found.push(`a link to "${href}"`);
          if (link.getAttribute('rel') !== 'noopener noreferrer' || link.getAttribute('target') !== '_blank') {
            found.push(`a link with rel="${link.getAttribute('rel')}" target="${link.getAttribute('target')}"`);
          }
        }
      }
      return found;
    },
    { elements: [...ALLOWED_ELEMENTS], attributes: ALLOWED_ATTRIBUTES.source },
  );
}

test('hostile messages show as text: no script runs, no element or request gets through', async ({ openPage, request, baseURL }) => {
  test.setTimeout(120_000);
  expect(XSS_CORPUS.length).toBeGreaterThanOrEqual(60);
  const alice = newPerson('Alice');
  // Without the server's Content-Security-Policy, which would stop inline script and foreign requests on its own:
  // what is proven here is that the renderer lets none through in the first place.
  const page = await openPage({ bypassCSP: true });
  const { dialogs, elsewhere } = await watch(page, baseURL!);
  await signUp(page, alice);

  // Mallory writes every vector to Alice over the protocol, as fast as her socket's allowance lets her.
  const { user: me } = await sessionOf(page);
  const mallory = newPerson('Mallory');
  const { token } = await registerByApi(request, mallory);
  const socket = await connectClient(baseURL!, token);
  try {
    const opened = await socket.timeout(5000).emitWithAck('dm:open', { userId: me.id });
    if (!opened.ok) throw new Error(opened.error.message);
    for (const body of XSS_CORPUS) {
      await sendOver(socket, opened.room.id, body);
      // 50 events a second per socket: well under it.
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  } finally {
    socket.disconnect();
  }

  const box = chatBox(page, mallory);
  await expect(box.locator('li.message')).toHaveCount(XSS_CORPUS.length, { timeout: 20_000 });
  // Scroll through the whole history, so that anything that waits to be seen has its chance to load or run.
  const scroller = box.locator('.scroller');
  for (let step = 0; step < 40; step++) await scroller.evaluate((element) => element.scrollBy(0, -element.clientHeight));
  await scroller.evaluate((element) => (element.scrollTop = 0));
  await page.waitForTimeout(500);

  // Soft, so that a failure tells every way something got through.
  expect.soft(await page.evaluate(() => window.__xss), 'script ran').toBe(0);
  expect.soft(dialogs, 'dialogs opened').toEqual([]);
  expect.soft(await offences(box), 'in the message bodies').toEqual([]);
  expect.soft(elsewhere, 'requests to another origin').toEqual([]);

  // What was written is what shows, as written.
  const shown = await box.locator('li.message .body').allTextContents();
  for (const written of ['<script>window.__xss=1</script>', '<img src=x onerror="window.__xss=1">', '[click](javascript:window.__xss=1)', '# <script>window.__xss=1</script>', '![x](https://evil.example/x.png)']) {
    expect(shown).toContain(written);
  }
  await expect(box.locator('.body a[href="https://evil.example/x.png"]')).toHaveCount(1);
});

test('a message written with the toolbar and the shortcuts shows formatted', async ({ openPage, request }) => {
  const bob = newPerson('Bob');
  await registerByApi(request, bob);
  const page = await openPage();
  await signUp(page, newPerson('Alice'));
  const box = await openChatWith(page, bob);
  const composer = box.getByRole('textbox', { name: 'Message', exact: true });

  // Ctrl+B with nothing selected: a pair of markers, typed into.
  await composer.press('Control+b');
  await composer.pressSequentially('Release');
  await composer.press('End');
  await composer.pressSequentially(' is out, run ');
  // The toolbar by keyboard too: its Code button, pressed with Enter, gives the text area the keyboard back.
  await box.getByRole('button', { name: 'Code', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(composer).toBeFocused();
  await composer.pressSequentially('npm test');
  await composer.press('End');
  // A word selected, then made italic.
  await composer.pressSequentially(' now');
  await composer.press('Shift+ArrowLeft');
  await composer.press('Shift+ArrowLeft');
  await composer.press('Shift+ArrowLeft');
  await composer.press('Control+i');
  await composer.press('End');
  for (const line of ['', '- first', '- second', '', '> as Bob said', '', '[the notes](https://example.org/notes)', '', '```', 'const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0);', '```']) {
    await composer.press('Shift+Enter');
    await composer.pressSequentially(line);
  }
  await expect(composer).toHaveValue(
    '**Release** is out, run `npm test` _now_\n\n- first\n- second\n\n> as Bob said\n\n[the notes](https://example.org/notes)\n\n```\nconst total = items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n```',
  );
  await composer.press('Enter');

  // As the server has it, drawn from the body it stored (Bob's screen draws the same).
  const sent = messagesWith(box, 'Release is out');
  await expect(sent).toHaveCount(1);
  await expect(sent.getByText(/Sending…|Not sent/)).toHaveCount(0);
  const body = sent.locator('.body');
  await expect(body.locator('strong')).toHaveText('Release');
  await expect(body.locator('p > code')).toHaveText('npm test');
  await expect(body.locator('em')).toHaveText('now');
  await expect(body.locator('ul > li')).toHaveText(['first', 'second']);
  await expect(body.locator('blockquote')).toHaveText('as Bob said');
  await expect(body.locator('pre > code')).toHaveText('const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0);');
  const link = body.getByRole('link', { name: 'the notes' });
  await expect(link).toHaveAttribute('href', 'https://example.org/notes');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(link).toHaveAttribute('target', '_blank');
  // The Chats list previews it without the Markdown.
  await showView(page, 'Chats');
  await expect(chatsList(page)).toContainText('You: Release is out, run npm test now first second');

  for (const [width, height] of [
    [1280, 800],
    [360, 740],
  ]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme });
      await expect(sent).toBeVisible();
      await screenshot(page, `formatting-${width}-${colorScheme}`);
      await expectAccessible(page, `a formatted message and the formatting buttons, ${width} px wide, ${colorScheme}`);
    }
  }
});
