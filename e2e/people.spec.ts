import { expect, findPerson, logIn, newPerson, personButton, registerByApi, showView, signUp, test } from './support';

test('New chat finds people on the server as one types, a page at a time', async ({ openPage, request }) => {
  const tag = `pg${Date.now().toString(36)}`;
  // 30 people whose usernames start alike: more than one page.
  const many = Array.from({ length: 30 }, (_, i) => {
    const n = String(i).padStart(2, '0');
    return { ...newPerson('Page'), username: `${tag}.${n}`, lastName: `Last${tag}${n}` };
  });
  for (const person of many) await registerByApi(request, person);
  const me = newPerson('Mia');
  const page = await openPage();
  await signUp(page, me);
  const list = page.getByRole('list', { name: 'New chat', exact: true });

  await showView(page, 'New chat');
  await page.getByLabel('Search people', { exact: true }).fill(tag);
  await expect(personButton(page, many[0]!)).toBeVisible();
  await expect(list.getByRole('button')).toHaveCount(25);
  await page.getByRole('button', { name: 'More people' }).click();
  await expect(list.getByRole('button')).toHaveCount(30);
  await expect(personButton(page, many[29]!)).toBeVisible();
  await expect(page.getByRole('button', { name: 'More people' })).toHaveCount(0);

  // By last name too, ignoring case.
  await page.getByLabel('Search people', { exact: true }).fill(many[7]!.lastName.toUpperCase());
  await expect(list.getByRole('button')).toHaveCount(1);
  await expect(personButton(page, many[7]!)).toBeVisible();

  await page.getByLabel('Search people', { exact: true }).fill(`${tag}-nobody`);
  await expect(list.getByText('Nobody by that name.')).toBeVisible();
});

test('the dots of the people shown come and go live, with no chat in common', async ({ openPage, request }) => {
  const ann = newPerson('Ann');
  const cid = newPerson('Cid');
  await registerByApi(request, cid);
  const annPage = await openPage();
  await signUp(annPage, ann);

  const cidButton = await findPerson(annPage, cid);
  await expect(cidButton).toHaveAccessibleName(/ \(offline\)$/);

  // Cid shares no room with Ann: only her watch of the people on her screen tells her.
  const cidPage = await openPage();
  await logIn(cidPage, cid);
  await expect(cidButton).toHaveAccessibleName(/ \(online\)$/);
  await expect(cidButton.locator('.dot.on')).toBeVisible();

  await cidPage.context().close();
  await expect(cidButton).toHaveAccessibleName(/ \(offline\)$/);
});
