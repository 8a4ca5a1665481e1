import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';

/** Debian's redis-server, which CI installs with apt. */
export const REDIS_SERVER_PATH = '/usr/bin/redis-server';

/** A real redis-server of a test, on a port of its own, without persistence. */
export interface TestRedis {
  url: string;
  port: number;
  /** A client for looking into it (keys, values). */
  client: Redis;
  /** Every key and value it holds now, as text. */
  dump(): Promise<Array<{ key: string; value: string }>>;
  /** Kills the server (SIGKILL); `start` brings it back on the same port, empty. */
  kill(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing answers, as in a partition without a reset. */
  pause(): void;
  /** Thaws it (SIGCONT): it answers everything it was sent meanwhile. */
  resume(): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

/** Starts redis-server on a free loopback port (`--save '' --appendonly no`); fails with what to install when it is missing. */
export async function startRedis(): Promise<TestRedis> {
  if (!existsSync(REDIS_SERVER_PATH)) {
    throw new Error(`expected redis-server at ${REDIS_SERVER_PATH} (Debian: apt-get install redis-server, as CI does); found nothing`);
  }
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    const started = spawn(REDIS_SERVER_PATH, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      started.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('Ready to accept connections')) resolve();
      });
      started.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    });
  };
  await start();
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  client.on('error', () => {});
  await client.connect();
  const exited = (process: ChildProcess) =>
    new Promise<void>((resolve) =>
      process.exitCode !== null || process.signalCode !== null ? resolve() : process.once('exit', () => resolve()),
    );
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    client,
    async dump() {
      const keys = await client.keys('*');
      const entries: Array<{ key: string; value: string }> = [];
      for (const key of keys) {
        const type = await client.type(key);
        const value =
          type === 'string'
            ? await client.get(key)
            : type === 'hash'
              ? JSON.stringify(await client.hgetall(key))
              : JSON.stringify(await client.smembers(key));
        entries.push({ key, value: value ?? '' });
      }
      return entries;
    },
    pause() {
      child!.kill('SIGSTOP');
    },
    resume() {
      child!.kill('SIGCONT');
    },
    async kill() {
      const running = child!;
      running.kill('SIGKILL');
      await exited(running);
    },
    start,
    async stop() {
      client.disconnect();
      const running = child!;
      running.kill('SIGTERM');
      await exited(running);
    },
  };
}
