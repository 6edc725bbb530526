import { expect, expectMainScreen, logIn, newPerson, signUp, test } from './support';

test('log out, a wrong password is refused beside the form, the right one logs in again', async ({ openPage }) => {
  const eva = newPerson('Eva');
  const page = await openPage();
  await signUp(page, eva);

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'Log in to Parley' })).toBeVisible();

  await page.getByLabel('Username', { exact: true }).fill(eva.username);
  await page.getByLabel('Password', { exact: true }).fill('not my password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');

  await logIn(page, eva);
  await expectMainScreen(page);
  // A reload keeps the session.
  await page.reload();
  await expectMainScreen(page);
});
