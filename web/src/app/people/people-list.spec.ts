import type { DirectoryUser } from '@parley/protocol';
import { matching } from './people-list';

const person = (id: number, firstName: string, lastName: string, username: string): DirectoryUser => ({ id, firstName, lastName, username, online: false });
const people = [person(1, 'Émile', 'Zola', 'ezola'), person(2, 'Ada', 'Lovelace', 'ada'), person(3, 'Adam', 'Smith', 'asmith')];

describe('the New chat list, filtered as one types', () => {
  it('keeps everyone for an empty search', () => {
    expect(matching(people, '  ')).toEqual(people);
  });

  it('matches every word in the name or username, ignoring case and accents', () => {
    expect(matching(people, 'ada').map((p) => p.id)).toEqual([2, 3]);
    expect(matching(people, 'ADA love').map((p) => p.id)).toEqual([2]);
    expect(matching(people, 'emile').map((p) => p.id)).toEqual([1]);
    expect(matching(people, 'smith').map((p) => p.id)).toEqual([3]);
    expect(matching(people, 'nobody')).toEqual([]);
  });
});
