import { LIMITS } from '@parley/protocol';

/** The protocol's length rule and the server's password policy (password-policy.ts), said before anything is typed. */
export const PASSWORD_RULES = `At least ${LIMITS.passwordMinChars} characters, not a common password, and not containing your username`;
