/** Day separators in a chat: each message that starts a new day, by local time, gets a label above it. */

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Whether two moments fall on the same local calendar day. */
export function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/**
 * The label for the day of `day`, seen at `now`: "Today", "Yesterday", the weekday within the last week
 * ("Monday"), then the date ("Mon, 3 Nov", with the year when it is not this year: "Mon, 3 Nov 2025").
 */
export function dayLabel(day: Date, now: Date): string {
  // Whole calendar days between the two local midnights; rounding absorbs a daylight-saving hour.
  const daysAgo = Math.round((startOfDay(now) - startOfDay(day)) / DAY_MS);
  if (daysAgo === 0) return 'Today';
  if (daysAgo === 1) return 'Yesterday';
  if (daysAgo > 1 && daysAgo < 7) return WEEKDAYS[day.getDay()]!;
  const date = `${WEEKDAYS[day.getDay()]!.slice(0, 3)}, ${day.getDate()} ${MONTHS[day.getMonth()]}`;
  return day.getFullYear() === now.getFullYear() ? date : `${date} ${day.getFullYear()}`;
}

/** How long from `now` until the next local midnight, when every label may change. */
export function untilMidnight(now: Date): number {
  const next = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return next.getTime() - now.getTime();
}

function startOfDay(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}
