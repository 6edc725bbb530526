/** The form of a username that uniqueness and log-in use: `Alice` and `alice` are one account. */
export function usernameKey(username: string): string {
  return username.toLowerCase();
}
