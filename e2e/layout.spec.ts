import {
  chatBox,
  expect,
  expectAccessible,
  fullName,
  messagesWith,
  newPerson,
  openChatWith,
  registerByApi,
  screenshot,
  sendAndConfirm,
  sessionOf,
  showView,
  signUp,
  test,
  writeDirect,
} from './support';

test('on a wide screen the chat I open fills the stage, and one that writes meanwhile pops up beside it', async ({ openPage, baseURL, request }) => {
  const kim = newPerson('Kim');
  const leo = newPerson('Leo');
  const max = newPerson('Max');
  const leoPage = await openPage();
  await signUp(leoPage, leo);
  const kimPage = await openPage({ viewport: { width: 1280, height: 800 } });
  await signUp(kimPage, kim);
  const { user: kimUser } = await sessionOf(kimPage);

  const stage = await openChatWith(kimPage, leo);
  await sendAndConfirm(stage, 'Lunch at noon?');
  await sendAndConfirm(chatBox(leoPage, kim), 'Yes, the usual place.');
  await expect(messagesWith(stage, 'the usual place')).toBeVisible();
  // Between the sidebar and the right edge, from the top bar down to the bottom.
  const staged = (await stage.boundingBox())!;
  expect(staged.width).toBeGreaterThan(600);
  expect(staged.y + staged.height).toBeCloseTo(800, 0);
  await expect(kimPage.getByRole('tablist', { name: 'Sidebar' })).toBeInViewport();

  await writeDirect(baseURL!, (await registerByApi(request, max)).token, kimUser.id, 'Are you coming tonight?');
  const popped = chatBox(kimPage, max);
  await expect(messagesWith(popped, 'coming tonight')).toBeVisible();
  const boxArea = (await popped.boundingBox())!;
  const stageArea = (await stage.boundingBox())!;
  expect(stageArea.x + stageArea.width, 'the stage leaves the box its place').toBeLessThanOrEqual(boxArea.x);
  expect(boxArea.x + boxArea.width).toBeLessThanOrEqual(1280);
  // The box that popped up did not take the keyboard from the stage's composer.
  await expect(stage.getByRole('textbox', { name: 'Message', exact: true })).toBeFocused();
  await screenshot(kimPage, 'stage-1280');
  await expectAccessible(kimPage, 'a chat on the stage and a box beside it');

  // Opening the box's chat puts it on the stage, as a box of its own: Leo's half-written draft stays with Leo.
  await stage.getByRole('textbox', { name: 'Message', exact: true }).fill('Half-written for Leo');
  await showView(kimPage, 'Chats');
  await kimPage.getByRole('list', { name: 'Chats', exact: true }).getByRole('button', { name: /^Chat with Max/ }).click();
  await expect(chatBox(kimPage, leo)).toBeHidden();
  expect((await popped.boundingBox())!.width).toBeGreaterThan(600);
  await expect(popped.getByRole('textbox', { name: 'Message', exact: true })).toHaveValue('');
  await expect(messagesWith(popped, 'coming tonight')).toBeVisible();
});

test('on a wide screen a chat that writes before the boxes\' code has come pops up beside the stage, as one that writes later', async ({
  openPage,
  baseURL,
  request,
}) => {
  const kim = newPerson('Kim');
  const max = newPerson('Max');
  const kimPage = await openPage({ viewport: { width: 1280, height: 800 } });
  // The dock's code (the chunk that defines its component) is held back until Max has written.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await kimPage.route(/\/chunk-[A-Z0-9]+\.js$/, async (route) => {
    const response = await route.fetch();
    const body = await response.text();
    if (body.includes('selectors:[["app-chat-dock"]]')) await released;
    await route.fulfill({ response, body });
  });
  await signUp(kimPage, kim);
  const { user: kimUser } = await sessionOf(kimPage);

  await writeDirect(baseURL!, (await registerByApi(request, max)).token, kimUser.id, 'Are you there yet?');
  await expect(kimPage.getByRole('list', { name: 'Chats', exact: true }).getByRole('button', { name: /^Chat with Max/ })).toBeVisible();
  await expect(kimPage.getByRole('region', { name: 'Open chats', exact: true }), 'the dock has not come yet').toHaveCount(0);
  release();

  const popped = chatBox(kimPage, max);
  await expect(messagesWith(popped, 'there yet')).toBeVisible();
  await expect(popped.getByRole('button', { name: `Collapse Chat with ${fullName(max)}`, exact: true })).toBeVisible();
  expect((await popped.boundingBox())!.width).toBeLessThan(400);
});

test('a box keeps its header on screen however short the window, as on a phone held sideways', async ({ openPage }) => {
  const kim = newPerson('Kim');
  const leo = newPerson('Leo');
  const leoPage = await openPage();
  await signUp(leoPage, leo);
  const kimPage = await openPage({ viewport: { width: 740, height: 360 } });
  await signUp(kimPage, kim);
  const box = await openChatWith(kimPage, leo);
  await sendAndConfirm(box, 'Can you see the whole box?');
  const close = box.getByRole('button', { name: /^Close / });
  await expect(close).toBeInViewport({ ratio: 1 });
  await expect(box.getByRole('button', { name: 'Send', exact: true })).toBeInViewport({ ratio: 1 });
  const topBar = (await kimPage.locator('.topbar').boundingBox())!;
  expect((await box.boundingBox())!.y).toBeGreaterThanOrEqual(topBar.y + topBar.height - 1);
  await screenshot(kimPage, 'box-740x360');
});
