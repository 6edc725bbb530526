import { describe, expect, it } from 'vitest';
import { EMOJI, QUICK_REACTIONS, searchEmoji } from './emoji';

describe('searchEmoji', () => {
  it('finds emoji by the start of any of their words, every term matching', () => {
    expect(searchEmoji('thu')).toEqual(['👍', '👎']);
    expect(searchEmoji('thumbs do')).toEqual(['👎']);
    expect(searchEmoji('PARTY')).toEqual(['🎉', '🥳']);
    expect(searchEmoji('zebra')).toEqual([]);
  });

  it('offers everything for an empty query, the quick reactions first', () => {
    expect(searchEmoji('  ')).toHaveLength(EMOJI.length);
    expect(searchEmoji('').slice(0, 6)).toEqual(QUICK_REACTIONS);
  });
});
