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

test('a common password is refused at sign-up, with the reason beside the field', async ({ openPage }) => {
  const zoe = newPerson('Zoe');
  const page = await openPage();
  await page.goto('/signup');
  await page.getByLabel('First name', { exact: true }).fill(zoe.firstName);
  await page.getByLabel('Last name', { exact: true }).fill(zoe.lastName);
  await page.getByLabel('Username', { exact: true }).fill(zoe.username);
  const password = page.getByLabel('Password', { exact: true });
  await password.fill('12345678');
  await page.getByRole('button', { name: 'Sign up' }).click();

  await expect(password).toHaveAccessibleDescription('Password is one of the most common passwords; choose another');
  await expect(password).toHaveAttribute('aria-invalid', 'true');

  await password.fill(zoe.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expectMainScreen(page);
});
