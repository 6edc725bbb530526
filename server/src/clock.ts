/** The time source services use, injected so tests can move time forward. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
