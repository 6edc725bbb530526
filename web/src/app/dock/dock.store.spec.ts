import { provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { alice } from '../../testing/fake-chat-socket';
import { SessionStore } from '../core/session.store';
import { recallDock } from './dock-memory';
import { DockStore } from './dock.store';

function setUp(): DockStore {
  TestBed.configureTestingModule({
    providers: [provideZonelessChangeDetection(), { provide: SessionStore, useValue: { user: signal(alice).asReadonly() } }],
  });
  return TestBed.inject(DockStore);
}

const wide = { capacity: 2, overlay: false, stage: true };
const quiet = { mine: false, muted: false };

describe('DockStore on a wide screen', () => {
  beforeEach(() => localStorage.clear());

  it('puts the chat I open on the stage, and the ones that write meanwhile in boxes beside it', () => {
    const dock = setUp();
    dock.setLayout(wide);
    dock.open(1, { focus: true });
    expect(dock.staged()).toBe(1);
    expect(dock.shown()).toEqual([]);

    expect(dock.arrive(2, quiet)).toBe('open');
    expect(dock.arrive(1, quiet), 'the chat on the stage is open').toBe('badge');
    expect(dock.shown()).toEqual([2]);
    expect(dock.onScreen()).toEqual([1, 2]);

    // Opening a box's chat puts it on the stage; the one that was there leaves the screen.
    dock.open(2, { focus: true });
    expect(dock.staged()).toBe(2);
    expect(dock.shown()).toEqual([]);
  });

  it('leaves the stage empty when I close its chat, and that chat stays closed when it writes', () => {
    const dock = setUp();
    dock.setLayout(wide);
    dock.open(1, { focus: true });
    dock.close(1);
    expect(dock.staged()).toBeNull();
    expect(dock.arrive(1, quiet)).toBe('badge');
    expect(dock.onScreen()).toEqual([]);
  });

  it('turns the stage into the newest box when the window narrows, and takes the newest box when it widens', () => {
    const dock = setUp();
    dock.setLayout({ capacity: 2, overlay: false });
    dock.open(1);
    dock.open(2);
    dock.setLayout(wide);
    expect(dock.staged()).toBe(2);
    expect(dock.shown()).toEqual([1]);

    dock.setLayout({ capacity: 2, overlay: false });
    expect(dock.staged()).toBeNull();
    expect(dock.shown()).toEqual([1, 2]);
  });

  it('remembers the stage as the newest open chat, so a reload puts it back there', () => {
    const dock = setUp();
    dock.setLayout(wide);
    dock.restore({ open: [], collapsed: [], closed: [] });
    dock.arrive(2, quiet);
    dock.open(1, { focus: true });
    expect(recallDock(alice.id).open).toEqual([2, 1]);

    dock.reset();
    expect(dock.onScreen()).toEqual([]);
    dock.restore(recallDock(alice.id));
    expect(dock.staged()).toBe(1);
    expect(dock.shown()).toEqual([2]);
  });
});
