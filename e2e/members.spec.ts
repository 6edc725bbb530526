import { connectClient, createRoom, expect, newPerson, registerByApi, roomBox, signUp, test, uniqueName } from './support';

test('Alice sees her room’s member count rise as Bob and Carol join, and each joining in the history, with no reload', async ({
  openPage,
  request,
  baseURL,
}) => {
  const page = await openPage();
  await signUp(page, newPerson('Alice'));
  const name = uniqueName('Members');
  await createRoom(page, name);
  const box = roomBox(page, name);
  const count = box.locator('header').getByText(/^\d+ members?$/);
  await expect(count).toHaveText('1 member');

  const bob = newPerson('Bob');
  const carol = newPerson('Carol');
  const sockets = await Promise.all([bob, carol].map(async (person) => connectClient(baseURL!, (await registerByApi(request, person)).token)));
  try {
    // The room's id, as anyone may look it up.
    const browsed = await sockets[0]!.timeout(5000).emitWithAck('rooms:browse', { query: name });
    if (!browsed.ok) throw new Error(browsed.error.message);
    const roomId = browsed.rooms[0]!.id;

    expect(await sockets[0]!.timeout(5000).emitWithAck('room:join', { roomId })).toMatchObject({ ok: true });
    await expect(count).toHaveText('2 members');
    await expect(box.getByRole('listitem').filter({ hasText: `${bob.firstName} ${bob.lastName} joined` })).toHaveCount(1);

    expect(await sockets[1]!.timeout(5000).emitWithAck('room:join', { roomId })).toMatchObject({ ok: true });
    await expect(count).toHaveText('3 members');
    await expect(box.getByRole('listitem').filter({ hasText: `${carol.firstName} ${carol.lastName} joined` })).toHaveCount(1);

    expect(await sockets[0]!.timeout(5000).emitWithAck('room:leave', { roomId })).toMatchObject({ ok: true });
    await expect(count).toHaveText('2 members');
    await expect(box.getByRole('listitem').filter({ hasText: `${bob.firstName} ${bob.lastName} left` })).toHaveCount(1);
    // Notices open nothing and are not messages: the box still holds no bubble.
    await expect(box.locator('li.message')).toHaveCount(0);
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
});
