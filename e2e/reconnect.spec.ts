import type { WebSocketRoute } from '@playwright/test';
import { chatBox, expect, messagesWith, newPerson, openChatWith, sendAndConfirm, sendMessage, signUp, test } from './support';

test('after a network drop the page reconnects by itself, gets what it missed, and sends what it could not', async ({ openPage }) => {
  const ann = newPerson('Ann');
  const bob = newPerson('Bob');
  const annPage = await openPage();
  const bobPage = await openPage();

  // Ann's network: while `down`, every WebSocket is cut and new ones are refused.
  let down = false;
  const open: WebSocketRoute[] = [];
  await annPage.routeWebSocket(/socket\.io/, (ws) => {
    if (down) {
      void ws.close();
      return;
    }
    open.push(ws);
    ws.connectToServer();
  });

  await signUp(annPage, ann);
  await signUp(bobPage, bob);
  const annBox = await openChatWith(annPage, bob);
  await sendAndConfirm(annBox, 'before the tunnel');
  const bobBox = chatBox(bobPage, ann);
  await expect(messagesWith(bobBox, 'before the tunnel')).toBeVisible();

  down = true;
  for (const ws of open.splice(0)) await ws.close();
  await expect(annPage.getByRole('status').filter({ hasText: 'Reconnecting…' })).toBeVisible();

  // While Ann is away: Bob writes three messages, and Ann writes one that cannot leave yet.
  for (const text of ['missed one', 'missed two', 'missed three']) await sendAndConfirm(bobBox, text);
  await sendMessage(annBox, 'written offline');
  await expect(messagesWith(annBox, 'written offline').getByText('Sending…')).toBeVisible();

  down = false;
  // A reconnect attempt made while the network was down may hang rather than fail (the route closes a
  // socket that never opened); the client gives up on it after its 20 s connect timeout, then retries
  // after its back-off (at most 5 s). So "by itself" can take up to about 25 s here.
  await expect(annPage.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 30_000 });

  // Everything Bob wrote is there once, in order, without a reload; Ann's message went out once.
  for (const text of ['missed one', 'missed two', 'missed three']) await expect(messagesWith(annBox, text)).toHaveCount(1);
  const annSees = await annBox.locator('li.message .body').allInnerTexts();
  expect(annSees.filter((text) => text.startsWith('missed'))).toEqual(['missed one', 'missed two', 'missed three']);
  await expect(messagesWith(annBox, 'written offline').getByText(/Sending…|Not sent/)).toHaveCount(0, { timeout: 20_000 });
  await expect(messagesWith(bobBox, 'written offline')).toHaveCount(1);
});
