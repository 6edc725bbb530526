/**
 * The emoji the picker offers, each with the words a search finds it by: the ones people react with most first (the
 * quick row shows those). The server takes any single emoji; these are what is one click away.
 */
export const EMOJI: readonly { emoji: string; words: string }[] = [
  { emoji: '👍', words: 'thumbs up yes ok like agree' },
  { emoji: '❤️', words: 'heart love red' },
  { emoji: '😂', words: 'joy laugh tears funny lol' },
  { emoji: '🎉', words: 'party tada celebrate congratulations' },
  { emoji: '😮', words: 'wow surprised open mouth' },
  { emoji: '😢', words: 'sad cry tear' },
  { emoji: '🙏', words: 'thanks please pray folded hands' },
  { emoji: '👀', words: 'eyes looking see watching' },
  { emoji: '✅', words: 'check done yes tick' },
  { emoji: '👎', words: 'thumbs down no dislike disagree' },
  { emoji: '🔥', words: 'fire hot lit' },
  { emoji: '😀', words: 'grin smile happy' },
  { emoji: '😊', words: 'smile blush happy' },
  { emoji: '😉', words: 'wink' },
  { emoji: '😍', words: 'heart eyes love' },
  { emoji: '🤔', words: 'thinking hmm' },
  { emoji: '😅', words: 'sweat smile relief' },
  { emoji: '🙂', words: 'slight smile' },
  { emoji: '🙃', words: 'upside down' },
  { emoji: '😎', words: 'cool sunglasses' },
  { emoji: '😴', words: 'sleep tired zzz' },
  { emoji: '🤯', words: 'mind blown exploding head' },
  { emoji: '😡', words: 'angry mad rage' },
  { emoji: '🥳', words: 'party face celebrate birthday' },
  { emoji: '🤝', words: 'handshake deal agree' },
  { emoji: '👏', words: 'clap applause bravo' },
  { emoji: '🙌', words: 'raised hands hooray celebrate' },
  { emoji: '💪', words: 'strong muscle flex' },
  { emoji: '👋', words: 'wave hello hi bye' },
  { emoji: '🚀', words: 'rocket launch ship fast' },
  { emoji: '⭐', words: 'star favourite' },
  { emoji: '💯', words: 'hundred perfect score' },
  { emoji: '❌', words: 'cross no wrong' },
  { emoji: '⚠️', words: 'warning caution' },
  { emoji: '❓', words: 'question' },
  { emoji: '💡', words: 'idea light bulb' },
  { emoji: '☕', words: 'coffee tea break' },
  { emoji: '🍕', words: 'pizza food lunch' },
  { emoji: '🐛', words: 'bug insect' },
  { emoji: '🎯', words: 'target bullseye goal' },
];

/** The reactions one click away in a message's menu. */
export const QUICK_REACTIONS = EMOJI.slice(0, 6).map((e) => e.emoji);

/** The emoji whose words start with one of the query's, in the list's order; all of them for an empty query. */
export function searchEmoji(query: string): string[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  return EMOJI.filter(({ emoji, words }) =>
    terms.every((term) => emoji === term || words.split(' ').some((word) => word.startsWith(term))),
  ).map((e) => e.emoji);
}
