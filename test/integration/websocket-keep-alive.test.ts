import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { WEBSOCKET_KEEP_ALIVE_MS } from '../../src/http/websocket.js';
import { startStack, type Stack } from '../support/stack.js';
import { rawSocket, type RawSocket } from '../support/websocket.js';

// The WebSocket keep-alive: the gateway pings each socket every WEBSOCKET_KEEP_ALIVE_MS and cuts
// one that did not answer the previous ping. The stack runs in this process with its intervals on
// fake time (only setInterval: sockets, Yoga and the simulator keep real time), so an interval
// passes when the test says so. vi.waitFor would move that time on at each check, so waits here
// are for events: an acknowledgement, a ping, a pong, a close.

let stack: Stack;
let sockets: RawSocket[] = [];

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  stack = await startStack();
});

afterEach(async () => {
  for (const { socket } of sockets.splice(0)) socket.terminate();
  vi.useRealTimers();
  await stack.close();
});

// Resolves once the server has read everything this socket sent so far: it answers our ping
// after whatever came before it (our pongs included).
const roundTrip = (raw: RawSocket) => new Promise<void>((resolve) => (raw.socket.once('pong', () => resolve()), raw.socket.ping()));

// connection_init, resolved at its connection_ack.
async function init(raw: RawSocket): Promise<void> {
  await raw.opened;
  const acked = new Promise<void>((resolve) =>
    raw.socket.on('message', (data: Buffer) => JSON.parse(String(data)).type === 'connection_ack' && resolve()),
  );
  raw.socket.send(JSON.stringify({ type: 'connection_init', payload: { 'X-Auth-Token': 'token-demo' } }));
  await acked;
}

// Resolves once `check` holds, looking every 10 ms of real time (setTimeout is not faked).
async function until(check: () => boolean): Promise<void> {
  for (let tries = 0; !check(); tries += 1) {
    if (tries > 1000) throw new Error('still not so after 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// Resolves at the socket's next ping from the server.
const nextPing = (raw: RawSocket) => new Promise<void>((resolve) => raw.socket.once('ping', () => resolve()));

it(`pings every ${WEBSOCKET_KEEP_ALIVE_MS / 1000} s, keeps a socket that answers, cuts one that did not answer the last ping`, async () => {
  const answering = rawSocket(stack.url);
  const silent = rawSocket(stack.url, { autoPong: false });
  sockets = [answering, silent];
  const pings = new Map<RawSocket, number>(sockets.map((raw) => [raw, 0]));
  for (const raw of sockets) raw.socket.on('ping', () => pings.set(raw, pings.get(raw)! + 1));
  await Promise.all(sockets.map(init));
  const timers = vi.getTimerCount();

  vi.advanceTimersByTime(WEBSOCKET_KEEP_ALIVE_MS - 1);
  await Promise.all(sockets.map(roundTrip));
  expect([...pings.values()]).toEqual([0, 0]);

  // The first interval: both are pinged; only one answers.
  let pinged = Promise.all(sockets.map(nextPing));
  vi.advanceTimersByTime(1);
  await pinged;
  expect([...pings.values()]).toEqual([1, 1]);
  await Promise.all(sockets.map(roundTrip));

  // The second: the silent one is cut (no close frame: terminated), the other pinged again.
  pinged = Promise.all([nextPing(answering)]);
  vi.advanceTimersByTime(WEBSOCKET_KEEP_ALIVE_MS);
  expect((await silent.closed).code).toBe(1006);
  // Its keep-alive is stopped with it: the gateway keeps no interval for a socket that is gone.
  await until(() => vi.getTimerCount() === timers - 1);
  await pinged;
  expect(pings.get(answering)).toBe(2);
  await roundTrip(answering);
  expect(answering.socket.readyState).toBe(answering.socket.OPEN);

  // It stays open interval after interval while it answers.
  for (let interval = 3; interval <= 5; interval += 1) {
    pinged = Promise.all([nextPing(answering)]);
    vi.advanceTimersByTime(WEBSOCKET_KEEP_ALIVE_MS);
    await pinged;
    expect(pings.get(answering)).toBe(interval);
    await roundTrip(answering);
  }
  expect(answering.socket.readyState).toBe(answering.socket.OPEN);
  expect(pings.get(silent)).toBe(1);
});
