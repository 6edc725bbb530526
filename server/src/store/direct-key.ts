/** The key that makes a direct room one per pair, whichever of the two opens it: `"<lower id>:<higher id>"`. */
export function directRoomKey(a: number, b: number): string {
  return `${Math.min(a, b)}:${Math.max(a, b)}`;
}

/** The name a deleted account's row takes, so that its messages show "Deleted user" in every client. */
export const DELETED_USER_NAME = { firstName: 'Deleted', lastName: 'user' } as const;

/** The username a deleted account takes once its own is freed: no one can sign up with it (`~` is not allowed). */
export const releasedUsername = (userId: number) => `~${userId}`;
