import { Injectable, computed, inject, signal } from '@angular/core';
import type { Message, Room } from '@parley/protocol';
import { ChatStore } from '../chat/chat.store';
import { chatName } from '../chats/chat-name';
import { ChatSocket } from '../core/chat-socket';
import { PageVisibility } from '../core/page-visibility';
import { SessionStore } from '../core/session.store';
import { DockStore } from '../dock/dock.store';
import { plainText } from '../markdown/plain-text';
import { RoomsStore } from '../rooms/rooms.store';

export type NotificationState = NotificationPermission | 'unsupported';

const NOTIFY_KEY = 'parley.notifications';
const SOUND_KEY = 'parley.sound';
const PREVIEW_MAX = 140;

/**
 * What a desktop notification says about a message: who (or which room), and a preview; `more` other messages
 * that came with it (caught up after being away) are counted after it.
 */
export function notificationFor(room: Room | undefined, message: Message, more = 0): { title: string; body: string } {
  const body = plainText(message.body);
  const clipped = body.length > PREVIEW_MAX ? `${body.slice(0, PREVIEW_MAX - 1)}…` : body;
  const preview = more > 0 ? `${clipped} (+${more} more)` : clipped;
  if (room?.kind === 'group') return { title: chatName(room), body: `${message.author.firstName}: ${preview}` };
  return { title: `${message.author.firstName} ${message.author.lastName}`, body: preview };
}

/**
 * Desktop notifications while the page is hidden, for messages from others in chats I did not mute, and an
 * optional sound. Both are off until the person turns them on (the browser asks for permission only then,
 * never on load); the choice is kept on this device.
 */
@Injectable({ providedIn: 'root' })
export class DesktopNotifications {
  private readonly session = inject(SessionStore);
  private readonly rooms = inject(RoomsStore);
  private readonly chat = inject(ChatStore);
  private readonly dock = inject(DockStore);
  private readonly visibility = inject(PageVisibility);

  private readonly permissionState = signal<NotificationState>(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);
  private readonly wanted = signal(readFlag(NOTIFY_KEY));
  private readonly soundWanted = signal(readFlag(SOUND_KEY));
  private audio: AudioContext | null = null;

  readonly permission = this.permissionState.asReadonly();
  /** Notifications show: the person asked for them and the browser allows them. */
  readonly on = computed(() => this.wanted() && this.permissionState() === 'granted');
  readonly sound = this.soundWanted.asReadonly();

  constructor() {
    inject(ChatSocket).on('message:new', (message) => this.arrived(message));
    // What came while this device was away (a dropped network, a sleeping laptop) is news too: one notification
    // per chat, for its newest message.
    this.chat.onCaughtUp((unread) => this.arrived(unread.at(-1)!, unread.length - 1));
  }

  /** Turns notifications on, asking the browser's permission if it was never given; or turns them off. */
  async toggle(): Promise<void> {
    if (this.on()) return this.setWanted(false);
    if (this.permissionState() === 'unsupported') return;
    const permission = this.permissionState() === 'granted' ? 'granted' : await Notification.requestPermission();
    this.permissionState.set(permission);
    this.setWanted(permission === 'granted');
  }

  toggleSound(): void {
    const on = !this.soundWanted();
    this.soundWanted.set(on);
    writeFlag(SOUND_KEY, on);
    // Browsers let a page make sound only after a gesture: this click is one.
    if (on) void this.audioContext()?.resume();
  }

  private setWanted(on: boolean): void {
    this.wanted.set(on);
    writeFlag(NOTIFY_KEY, on);
  }

  /** A message from someone else reached me, with `more` before it that nothing announced yet. */
  private arrived(message: Message, more = 0): void {
    if (message.authorId === this.session.user()?.id || message.kind === 'system') return;
    const room = this.rooms.byId().get(message.roomId);
    if (room?.muted) return;
    const hidden = !this.visibility.visible();
    if (hidden && this.on()) this.notify(room, message, more);
    if (this.soundWanted() && (hidden || !this.dock.onScreen().includes(message.roomId))) this.beep();
  }

  private notify(room: Room | undefined, message: Message, more: number): void {
    const { title, body } = notificationFor(room, message, more);
    try {
      const notification = new Notification(title, { body, tag: `parley-room-${message.roomId}` });
      notification.onclick = () => {
        window.focus();
        notification.close();
        void this.chat.openRoom(message.roomId);
      };
    } catch {
      // Some browsers (Android Chrome) allow notifications only from a service worker: the title still counts.
    }
  }

  private audioContext(): AudioContext | null {
    if (typeof AudioContext === 'undefined') return null;
    this.audio ??= new AudioContext();
    return this.audio;
  }

  /** A short soft tone, synthesised: no sound file to fetch. */
  private beep(): void {
    const audio = this.audioContext();
    if (!audio) return;
    const start = audio.currentTime;
    const tone = audio.createOscillator();
    const volume = audio.createGain();
    tone.frequency.value = 880;
    volume.gain.setValueAtTime(0.0001, start);
    volume.gain.exponentialRampToValueAtTime(0.15, start + 0.02);
    volume.gain.exponentialRampToValueAtTime(0.0001, start + 0.3);
    tone.connect(volume).connect(audio.destination);
    tone.start(start);
    tone.stop(start + 0.32);
  }
}

function readFlag(key: string): boolean {
  try {
    return localStorage.getItem(key) === 'on';
  } catch {
    return false;
  }
}

function writeFlag(key: string, on: boolean): void {
  try {
    localStorage.setItem(key, on ? 'on' : 'off');
  } catch {
    // Storage refused: the choice lasts until the page reloads.
  }
}
