import { ackShape, LIMITS, serverEvents, type Message } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, callRaw, drain, expectOk, nextEvent, publicUser, record, type ClientSocket, type Person, type TestServer } from './support/harness.js';
import { serverDrivers, type DriverServer } from './support/server-drivers.js';

type Connected = Person & { socket: ClientSocket };

const HOUR = 60 * 60_000;

describe.each(serverDrivers)('editing, deleting, answering and reacting to messages: $name', (driver) => {
  let started: DriverServer;
  let server: TestServer;
  beforeEach(async (context) => {
    if (driver.unavailable) context.skip(driver.unavailable);
    started = await driver.start({ limits: { socketEventsPerSecond: 10_000 } });
    server = started.server;
  });
  afterEach(async () => {
    await started?.close();
  });

  let clientIds = 0;
  const send = async (who: Connected, roomId: number, body: string, replyToId?: number) =>
    expectOk(await call(who.socket, 'message:send', { roomId, clientId: `c-${++clientIds}`, body, ...(replyToId ? { replyToId } : {}) })).message;
  const edit = (who: Connected, message: Message, body: string) => call(who.socket, 'message:edit', { messageId: message.id, body });
  const remove = (who: Connected, message: Message) => call(who.socket, 'message:delete', { messageId: message.id });
  const react = (who: Connected, message: Message, emoji: string, on = true) =>
    call(who.socket, 'reaction:set', { messageId: message.id, emoji, on });

  /** Alice and Bob in a direct chat, and Carol, who is in neither of their rooms. */
  async function threePeople() {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const carol = await server.signUpAndConnect();
    const room = expectOk(await call(alice.socket, 'dm:open', { userId: bob.user.id })).room;
    await drain(bob.socket);
    return { alice, bob, carol, room };
  }

  /** A group room Alice owns, with Bob a moderator and Dan a plain member. */
  async function moderatedRoom() {
    const alice = await server.signUpAndConnect();
    const bob = await server.signUpAndConnect();
    const dan = await server.signUpAndConnect();
    const room = expectOk(await call(alice.socket, 'room:create', { name: `Room ${++clientIds}` })).room;
    for (const who of [bob, dan]) expectOk(await call(who.socket, 'room:join', { roomId: room.id }));
    expectOk(await call(alice.socket, 'room:role', { roomId: room.id, userId: bob.user.id, role: 'moderator' }));
    return { alice, bob, dan, room };
  }

  describe('message:edit', () => {
    it('replaces the body, marks it edited, tells every member, and keeps what it said before', async () => {
      const { alice, bob, room } = await threePeople();
      const original = await send(alice, room.id, 'helo');
      const bobHears = nextEvent(bob.socket, 'message:updated');
      const alicesOwnHears = nextEvent(alice.socket, 'message:updated');

      const edited = await edit(alice, original, 'hello');

      expect(ackShape('message:edit').parse(edited)).toBeTruthy();
      const message = expectOk(edited).message;
      expect(message).toMatchObject({ id: original.id, seq: original.seq, body: 'hello', changeSeq: 1, deletedAt: null });
      expect(message.editedAt).not.toBeNull();
      const event = await bobHears;
      expect(serverEvents['message:updated'].parse(event)).toEqual({ message, reaction: null });
      expect(await alicesOwnHears).toEqual(event);
      const history = expectOk(await call(bob.socket, 'room:history', { roomId: room.id })).messages;
      expect(history).toEqual([message]);
      expect(expectOk(await edit(alice, original, 'hello, Bob')).message.changeSeq).toBe(2);
      const edits = expectOk(await call(bob.socket, 'message:edits', { messageId: original.id })).edits;
      expect(ackShape('message:edits').parse({ ok: true, edits })).toBeTruthy();
      expect(edits.map((e) => e.body)).toEqual(['helo', 'hello']);
      // The room's preview follows the edit.
      const [listed] = expectOk(await call(bob.socket, 'rooms:list', {})).rooms;
      expect(listed!.lastMessage).toMatchObject({ body: 'hello, Bob', changeSeq: 2 });
      expect(listed!.changeSeq).toBe(2);
    });

    it('changes nothing when the body is the same', async () => {
      const { alice, bob, room } = await threePeople();
      const original = await send(alice, room.id, 'same');
      const heard = record(bob.socket, 'message:updated');
      expect(expectOk(await edit(alice, original, 'same')).message).toEqual(original);
      await drain(bob.socket);
      expect(heard).toEqual([]);
    });

    it('is refused to anyone but the author, past the window, for a notice, and for a deleted message', async () => {
      const { alice, bob, carol, room } = await threePeople();
      const message = await send(alice, room.id, 'mine');
      expect(await edit(bob, message, 'his now')).toEqual({
        ok: false,
        error: { code: 'forbidden', message: 'Only its author can edit a message.' },
      });
      expect(await edit(carol, message, 'hers now')).toEqual({ ok: false, error: { code: 'not_found', message: 'No such message.' } });
      expect(await call(carol.socket, 'message:edits', { messageId: message.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await call(alice.socket, 'message:edit', { messageId: 999_999, body: 'x' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await call(alice.socket, 'message:edit', { messageId: message.id, body: '  ' })).toMatchObject({
        ok: false,
        error: { code: 'invalid', fields: { body: 'must not be blank' } },
      });

      server.clock.advance(24 * HOUR + 1000);
      expect(await edit(alice, message, 'too late')).toEqual({
        ok: false,
        error: { code: 'forbidden', message: 'A message can be edited for 24 hours after it is sent.' },
      });

      const group = expectOk(await call(alice.socket, 'room:create', { name: 'Notices' })).room;
      expectOk(await call(bob.socket, 'room:join', { roomId: group.id }));
      const [notice] = expectOk(await call(alice.socket, 'room:history', { roomId: group.id })).messages.filter((m) => m.authorId === alice.user.id);
      const fresh = await send(alice, group.id, 'to delete');
      expectOk(await remove(alice, fresh));
      expect(await edit(alice, fresh, 'back')).toEqual({ ok: false, error: { code: 'conflict', message: 'This message was deleted.' } });
      if (notice) expect(await edit(alice, notice, 'x')).toMatchObject({ ok: false, error: { code: 'invalid' } });
      const bobsNotice = expectOk(await call(bob.socket, 'room:history', { roomId: group.id })).messages.find((m) => m.kind === 'system')!;
      expect(await react(bob, bobsNotice, '👍')).toMatchObject({ ok: false, error: { code: 'invalid' } });
    });

    it(`allows ${LIMITS.editsPerMessageMax} edits of one message, then refuses`, async () => {
      const { alice, room } = await threePeople();
      const message = await send(alice, room.id, 'v0');
      for (let i = 1; i <= LIMITS.editsPerMessageMax; i++) expectOk(await edit(alice, message, `v${i}`));
      expect(await edit(alice, message, 'one more')).toMatchObject({ ok: false, error: { code: 'conflict' } });
      expect(expectOk(await call(alice.socket, 'message:edits', { messageId: message.id })).edits).toHaveLength(LIMITS.editsPerMessageMax);
    });
  });

  describe('message:delete', () => {
    it('leaves a tombstone that no read shows the body of, and drops its edits, reactions and quotes', async () => {
      const { alice, bob, room } = await threePeople();
      const secret = await send(alice, room.id, 'the secret plan');
      expectOk(await edit(alice, secret, 'the secret plan, v2'));
      expectOk(await react(bob, secret, '😮'));
      const reply = await send(bob, room.id, 'wow', secret.id);
      expect(reply.replyTo).toMatchObject({ id: secret.id, excerpt: 'the secret plan, v2', deleted: false });
      const bobHears = nextEvent(bob.socket, 'message:updated');

      const deleted = expectOk(await remove(alice, secret)).message;

      expect(deleted).toMatchObject({ id: secret.id, seq: secret.seq, body: '', reactions: [], changeSeq: 3 });
      expect(deleted.deletedAt).not.toBeNull();
      expect(await bobHears).toEqual({ message: deleted, reaction: null });
      const history = expectOk(await call(bob.socket, 'room:history', { roomId: room.id })).messages;
      expect(history.map((m) => m.seq)).toEqual([1, 2]);
      expect(history[0]).toEqual(deleted);
      expect(history[1]!.replyTo).toEqual({ id: secret.id, seq: secret.seq, author: publicUser(alice), excerpt: '', deleted: true });
      const synced = expectOk(await call(bob.socket, 'sync', { rooms: { [room.id]: 0 } }));
      expect(JSON.stringify(synced)).not.toContain('secret');
      expect(JSON.stringify(expectOk(await call(bob.socket, 'rooms:list', {})))).not.toContain('secret');
      expect(expectOk(await call(bob.socket, 'message:edits', { messageId: secret.id })).edits).toEqual([]);
      // What the store still holds of it: nothing of its text, in any version.
      expect(JSON.stringify(await server.store.listMessages(room.id, { limit: 10 }))).not.toContain('secret');
      expect(await server.store.listEdits(secret.id)).toEqual([]);
      // Again: nothing changes, and no one hears of it.
      const heard = record(bob.socket, 'message:updated');
      expect(expectOk(await remove(alice, secret)).message).toEqual(deleted);
      await drain(bob.socket);
      expect(heard).toEqual([]);
      expect(await react(bob, secret, '👍')).toEqual({ ok: false, error: { code: 'conflict', message: 'This message was deleted.' } });
      // A reply to it is still taken (a retry of one sent before the deletion must be), and quotes it as deleted.
      expect((await send(bob, room.id, 'still?', secret.id)).replyTo).toMatchObject({ id: secret.id, excerpt: '', deleted: true });
    });

    it('is for the author, the owner, and a moderator over plain members; not for other members or outsiders', async () => {
      const { alice, bob, dan, room } = await moderatedRoom();
      const outsider = await server.signUpAndConnect();
      const byAlice = await send(alice, room.id, 'owner speaks');
      const byBob = await send(bob, room.id, 'moderator speaks');
      const byDan = await send(dan, room.id, 'member speaks');
      const byDan2 = await send(dan, room.id, 'member speaks again');
      const refused = { ok: false, error: { code: 'forbidden', message: 'Only its author or a moderator of the room can delete a message.' } };

      expect(await remove(dan, byBob)).toEqual(refused);
      expect(await remove(bob, byAlice)).toEqual(refused);
      expect(await remove(outsider, byDan)).toEqual({ ok: false, error: { code: 'not_found', message: 'No such message.' } });
      expect(expectOk(await remove(bob, byDan)).message.deletedAt).not.toBeNull();
      expect(expectOk(await remove(alice, byBob)).message.deletedAt).not.toBeNull();
      expect(expectOk(await remove(dan, byDan2)).message.deletedAt).not.toBeNull();
      expect(expectOk(await remove(alice, byAlice)).message.deletedAt).not.toBeNull();
      // Deleted, it is still not theirs to delete.
      expect(await remove(dan, byBob)).toEqual(refused);
    });
  });

  describe('replies', () => {
    it('quote the author and the first characters of the original, in the same room only', async () => {
      const { alice, bob, room } = await threePeople();
      const long = 'é'.repeat(150) + '🎉'.repeat(100);
      const original = await send(alice, room.id, long);
      await drain(bob.socket);
      const bobHears = nextEvent(bob.socket, 'message:new');

      const reply = await send(bob, room.id, 'indeed', original.id);

      expect(reply.replyTo).toEqual({
        id: original.id,
        seq: original.seq,
        author: publicUser(alice),
        excerpt: [...long].slice(0, LIMITS.quoteChars).join(''),
        deleted: false,
      });
      expect(await bobHears).toEqual(reply);
      // The quote follows an edit of the original.
      expectOk(await edit(alice, original, 'short now'));
      const history = expectOk(await call(alice.socket, 'room:history', { roomId: room.id })).messages;
      expect(history[1]!.replyTo!.excerpt).toBe('short now');

      const elsewhere = expectOk(await call(alice.socket, 'room:create', { name: `Elsewhere ${++clientIds}` })).room;
      const there = await send(alice, elsewhere.id, 'in another room');
      const wrong = { roomId: room.id, clientId: `c-${++clientIds}`, body: 'x' };
      for (const replyToId of [there.id, 999_999]) {
        expect(await call(bob.socket, 'message:send', { ...wrong, replyToId })).toEqual({
          ok: false,
          error: { code: 'invalid', message: 'The message this answers is not in this room.', fields: { replyToId: 'is not a message of this room' } },
        });
      }
    });
  });

  describe('reaction:set', () => {
    it('counts each person once per emoji, marks mine, and tells the room what changed', async () => {
      const { alice, bob, room } = await threePeople();
      const message = await send(alice, room.id, 'party?');
      const aliceHears = nextEvent(alice.socket, 'message:updated');

      const reacted = expectOk(await react(bob, message, '🎉')).message;

      expect(reacted.reactions).toEqual([{ emoji: '🎉', count: 1, me: true }]);
      const event = await aliceHears;
      expect(serverEvents['message:updated'].parse(event)).toBeTruthy();
      expect(event).toEqual({
        message: { ...reacted, reactions: [{ emoji: '🎉', count: 1, me: false }] },
        reaction: { userId: bob.user.id, emoji: '🎉', on: true },
      });
      expect(expectOk(await react(bob, message, '🎉')).message).toEqual(reacted);
      expect(expectOk(await react(alice, message, '🎉')).message.reactions).toEqual([{ emoji: '🎉', count: 2, me: true }]);
      expect(expectOk(await react(alice, message, '👍🏽')).message.reactions).toEqual([
        { emoji: '🎉', count: 2, me: true },
        { emoji: '👍🏽', count: 1, me: true },
      ]);
      const seenByBob = expectOk(await call(bob.socket, 'room:history', { roomId: room.id })).messages[0]!;
      expect(seenByBob.reactions).toEqual([
        { emoji: '🎉', count: 2, me: true },
        { emoji: '👍🏽', count: 1, me: false },
      ]);
      expect(expectOk(await react(bob, message, '🎉', false)).message.reactions).toEqual([
        { emoji: '🎉', count: 1, me: false },
        { emoji: '👍🏽', count: 1, me: false },
      ]);
      // Taking back what one never gave changes nothing.
      expect(expectOk(await react(bob, message, '🎉', false)).message.changeSeq).toBe(4);
    });

    it('answers a retried send with the message as it now is, reactions and all', async () => {
      const { alice, bob, room } = await threePeople();
      const payload = { roomId: room.id, clientId: 'retried-1', body: 'retry me' };
      const sent = expectOk(await call(alice.socket, 'message:send', payload)).message;
      expectOk(await react(bob, sent, '👍'));
      const again = expectOk(await call(alice.socket, 'message:send', payload)).message;
      expect(again).toMatchObject({ id: sent.id, changeSeq: 1, reactions: [{ emoji: '👍', count: 1, me: false }] });
    });

    it('takes one emoji: a single grapheme of at most 16 bytes that shows and hides nothing', async () => {
      const { alice, room } = await threePeople();
      const message = await send(alice, room.id, 'hi');
      for (const emoji of ['👍', '👨‍💻', '👋🏿', '🇫🇷', '1️⃣', '❤️', 'A']) expectOk(await react(alice, message, emoji));
      for (const emoji of ['', ' ', 'ab', '👍👍', '\u200B', '\u202E', 'x\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301', '👨‍👩‍👧‍👦']) {
        expect(await react(alice, message, emoji), JSON.stringify(emoji)).toMatchObject({ ok: false, error: { code: 'invalid', fields: { emoji: expect.any(String) } } });
      }
      expect(await callRaw(alice.socket, 'reaction:set', { messageId: message.id, emoji: '👍', on: 'yes' })).toMatchObject({ ok: false });
    });

    it(`allows ${LIMITS.reactionsPerMessageMax} different emoji on one message`, async () => {
      const { alice, bob, room } = await threePeople();
      const message = await send(alice, room.id, 'react to me');
      const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗'];
      expect(emoji).toHaveLength(LIMITS.reactionsPerMessageMax);
      await Promise.all(emoji.map((e) => react(alice, message, e)));
      expect(await react(bob, message, '🤔')).toEqual({
        ok: false,
        error: { code: 'conflict', message: `A message can have at most ${LIMITS.reactionsPerMessageMax} different reactions.`, fields: { emoji: 'is one too many for this message' } },
      });
      // One already there may still be given.
      const given = expectOk(await react(bob, message, '😀')).message.reactions;
      expect(given).toHaveLength(LIMITS.reactionsPerMessageMax);
      expect(given.find((r) => r.emoji === '😀')).toEqual({ emoji: '😀', count: 2, me: true });
    });

    it('counts right under toggles fired at once, by many people and by one', async () => {
      const alice = await server.signUpAndConnect();
      const room = expectOk(await call(alice.socket, 'room:create', { name: `Busy ${++clientIds}` })).room;
      const people: Connected[] = [];
      for (let i = 0; i < 12; i++) {
        const person = await server.signUpAndConnect();
        expectOk(await call(person.socket, 'room:join', { roomId: room.id }));
        people.push(person);
      }
      const message = await send(alice, room.id, 'vote');

      // Each gives 👍 three times and ❤️ once at once; the first half then take their 👍 back twice, at once.
      await Promise.all(people.flatMap((p) => [react(p, message, '👍'), react(p, message, '👍'), react(p, message, '❤️'), react(p, message, '👍')]));
      await Promise.all(people.slice(0, 6).flatMap((p) => [react(p, message, '👍', false), react(p, message, '👍', false)]));

      const [seen] = expectOk(await call(alice.socket, 'room:history', { roomId: room.id, beforeSeq: message.seq + 1, limit: 1 })).messages;
      expect(seen!.reactions).toEqual(
        expect.arrayContaining([
          { emoji: '👍', count: 6, me: false },
          { emoji: '❤️', count: 12, me: false },
        ]),
      );
      // Every change took its own changeSeq: 12 + 12 gives and 6 taken back.
      expect(seen!.changeSeq).toBe(30);
    });
  });

  describe('the change feed', () => {
    it('brings a client that was away an edit, a deletion and a reaction in one sync, in the order they were made', async () => {
      const { alice, bob, room } = await threePeople();
      const first = await send(alice, room.id, 'first');
      const second = await send(alice, room.id, 'second');
      const third = await send(alice, room.id, 'third');
      const held = expectOk(await call(bob.socket, 'dm:open', { userId: alice.user.id }));
      expect(held.room.changeSeq).toBe(0);
      bob.socket.disconnect();

      expectOk(await edit(alice, second, 'second, edited'));
      expectOk(await remove(alice, first));
      expectOk(await react(alice, third, '👍'));
      const fourth = await send(alice, room.id, 'fourth');

      const back = await server.connect(bob.token);
      const position = { seq: held.room.lastSeq, changeSeq: held.room.changeSeq };
      const answer = expectOk(await call(back, 'sync', { rooms: { [room.id]: position } }));

      expect(ackShape('sync').parse({ ...answer, ok: true })).toBeTruthy();
      const [caughtUp] = answer.rooms;
      expect(caughtUp!.messages.map((m) => m.id)).toEqual([fourth.id]);
      expect(caughtUp!.changed.map((m) => [m.id, m.changeSeq])).toEqual([
        [second.id, 1],
        [first.id, 2],
        [third.id, 3],
      ]);
      expect(caughtUp!.changed[0]).toMatchObject({ body: 'second, edited' });
      expect(caughtUp!.changed[1]).toMatchObject({ body: '' });
      expect(caughtUp!.changed[2]!.reactions).toEqual([{ emoji: '👍', count: 1, me: false }]);
      expect(caughtUp).toMatchObject({ changeSeq: 3, complete: true });

      // Named where it now is, the room has nothing more; named by its seq alone, changes are not looked for.
      const again = expectOk(await call(back, 'sync', { rooms: { [room.id]: { seq: fourth.seq, changeSeq: 3 } } }));
      expect(again.rooms).toEqual([{ roomId: room.id, messages: [], changed: [], changeSeq: 3, complete: true }]);
      const oldForm = expectOk(await call(back, 'sync', { rooms: { [room.id]: fourth.seq } }));
      expect(oldForm.rooms).toEqual([{ roomId: room.id, messages: [], changed: [], changeSeq: 3, complete: true }]);
    });

    it('is bounded as messages are: many changed messages come in several answers, each picking up where the last stopped', async () => {
      const { alice, bob, room } = await threePeople();
      const messages: Message[] = [];
      for (let i = 0; i < LIMITS.syncMessagesPerRoom + 10; i++) messages.push(await send(alice, room.id, `m${i}`));
      const held = { seq: messages.at(-1)!.seq, changeSeq: 0 };
      // Each message changed once, the first one twice (its last change is the last of all).
      for (const message of messages) expectOk(await react(alice, message, '👍'));
      expectOk(await edit(alice, messages[0]!, 'm0, edited'));

      let position = held;
      const seen = new Map<number, Message>();
      let answers = 0;
      for (;;) {
        answers += 1;
        const [entry] = expectOk(await call(bob.socket, 'sync', { rooms: { [room.id]: position } })).rooms;
        expect(entry!.changed.length).toBeLessThanOrEqual(LIMITS.syncMessagesPerRoom);
        for (const m of entry!.changed) seen.set(m.id, m);
        position = { seq: position.seq, changeSeq: entry!.changeSeq };
        if (entry!.complete) break;
        expect(answers).toBeLessThan(5);
      }
      expect(answers).toBe(2);
      expect(position.changeSeq).toBe(messages.length + 1);
      expect(seen.size).toBe(messages.length);
      expect(seen.get(messages[0]!.id)).toMatchObject({ body: 'm0, edited', changeSeq: messages.length + 1 });
      expect(seen.get(messages[1]!.id)!.reactions).toEqual([{ emoji: '👍', count: 1, me: false }]);
    });
  });
});
