import { CLOSED_REMEMBERED, recallDock, rememberDock } from './dock-memory';

describe('what the dock remembers on this device', () => {
  beforeEach(() => localStorage.clear());

  it('keeps each user’s boxes apart', () => {
    rememberDock(1, { open: [3, 4], collapsed: [4], closed: [9] });
    rememberDock(2, { open: [5], collapsed: [], closed: [] });
    expect(recallDock(1)).toEqual({ open: [3, 4], collapsed: [4], closed: [9] });
    expect(recallDock(2)).toEqual({ open: [5], collapsed: [], closed: [] });
    expect(recallDock(3)).toEqual({ open: [], collapsed: [], closed: [] });
  });

  it('ignores a damaged entry, and anything in it that is not a room id', () => {
    localStorage.setItem('parley.dock.1', '{not json');
    expect(recallDock(1)).toEqual({ open: [], collapsed: [], closed: [] });
    localStorage.setItem('parley.dock.1', JSON.stringify({ open: [1, 'two', -3, 2.5, 4], collapsed: 'all' }));
    expect(recallDock(1)).toEqual({ open: [1, 4], collapsed: [], closed: [] });
  });

  it('forgets the oldest closed chats beyond what it keeps', () => {
    const closed = Array.from({ length: CLOSED_REMEMBERED + 5 }, (_, i) => i + 1);
    rememberDock(1, { open: [], collapsed: [], closed });
    expect(recallDock(1).closed).toEqual(closed.slice(5));
  });
});
