import { expect, expectMainScreen, logIn, newPerson, screenshot, signUp, test } from './support';

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

  // What is wrong comes first; the rules follow it.
  await expect(password).toHaveAccessibleDescription(/^Password is one of the most common passwords; choose another At least 8 characters/);
  await expect(password).toBeFocused();
  await expect(password).toHaveAttribute('aria-invalid', 'true');

  await password.fill(zoe.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expectMainScreen(page);
});

test('sign-up says its rules before the first submit; an empty submit sends the keyboard to the first missing field alone', async ({ openPage }) => {
  const page = await openPage();
  await page.goto('/signup');
  const firstName = page.getByLabel('First name', { exact: true });
  await expect(firstName).toBeFocused();
  await expect(page.getByLabel('Username', { exact: true })).toHaveAccessibleDescription('3 to 32 characters: letters, digits, _ . and -');
  await expect(page.getByLabel('Password', { exact: true })).toHaveAccessibleDescription(
    'At least 8 characters, not a common password, and not containing your username',
  );
  await expect(page.getByText('3 to 32 characters: letters, digits, _ . and -')).toBeVisible();

  // The keyboard leaves First name for the button: nothing typed anywhere.
  await page.getByRole('button', { name: 'Sign up' }).focus();
  await page.keyboard.press('Enter');
  await expect(firstName).toBeFocused();
  await expect(firstName).toHaveAttribute('aria-invalid', 'true');
  await expect(firstName).toHaveAccessibleDescription('First name must not be empty');
  for (const label of ['Last name', 'Username', 'Password']) {
    await expect(page.getByLabel(label, { exact: true })).not.toHaveAttribute('aria-invalid');
  }
  await screenshot(page, 'signup-first-missing-1280');
  await page.setViewportSize({ width: 360, height: 740 });
  await screenshot(page, 'signup-first-missing-360');

  // Filled in, the next submit goes on to the next missing field.
  await page.keyboard.type('Ada');
  await page.getByRole('button', { name: 'Sign up' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Last name', { exact: true })).toBeFocused();
  await expect(firstName).not.toHaveAttribute('aria-invalid');
});
