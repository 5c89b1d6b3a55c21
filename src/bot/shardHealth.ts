/**
 * The shard manager's /healthz: Redis, and each shard process with the gateway state of every
 * shard it runs (asked of the process itself). 200 when Redis answers and every shard is READY
 * on the gateway, else 503; the body says which part is not.
 */
import { createServer, type Server } from 'node:http';
import { Status, type Shard } from 'discord.js';
import type { RedisClient } from '../queue/redisConnection.ts';

export interface ShardState {
  ids: number[];
  pid: number | null;
  /** What the manager last heard from the process. */
  status: 'starting' | 'ready' | 'disconnected' | 'reconnecting' | 'dead';
  /** Processes started for these shards (2 or more: it was restarted). */
  starts: number;
  readyAt: number | null;
  shard: Shard | null;
}

export interface GatewayShardReport {
  id: number;
  /** discord.js's Status name for the shard's gateway connection: READY, CONNECTING, RESUMING… */
  gateway: string;
  ready: boolean;
}

const STATUS_NAMES = Object.fromEntries(Object.entries(Status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v, k.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()]));

function withTimeout<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([work.catch(() => fallback), new Promise<T>((r) => setTimeout(() => r(fallback), ms).unref())]);
}

/** Each shard's gateway state, asked of its process; an unreachable process reports its shards as not ready. */
async function gatewayOf(state: ShardState): Promise<GatewayShardReport[]> {
  const unknown = state.ids.map((id) => ({ id, gateway: state.status === 'dead' ? 'PROCESS_DEAD' : 'UNKNOWN', ready: false }));
  if (!state.shard?.process || state.status === 'dead') return unknown;
  const reported = await withTimeout(
    state.shard.eval((client) => [...client.ws.shards.values()].map((s) => ({ id: s.id, status: s.status }))) as Promise<{ id: number; status: number }[]>,
    1500,
    null,
  );
  if (!reported) return unknown;
  return state.ids.map((id) => {
    const s = reported.find((r) => r.id === id);
    return { id, gateway: s ? (STATUS_NAMES[s.status] ?? String(s.status)) : 'NOT_STARTED', ready: s?.status === Status.Ready };
  });
}

export async function shardHealth(states: ShardState[], redis: RedisClient) {
  const [redisOk, processes] = await Promise.all([
    withTimeout(redis.ping().then(() => true), 1000, false),
    Promise.all(states.map(async (s) => ({ shards: s.ids, pid: s.pid, process: s.status, restarts: Math.max(0, s.starts - 1), gateway: await gatewayOf(s) }))),
  ]);
  const allReady = processes.every((p) => p.gateway.every((g) => g.ready));
  return { ok: redisOk && allReady, body: { status: redisOk && allReady ? 'ok' : !redisOk ? 'redis unreachable' : 'shards not ready', redis: redisOk ? 'ok' : 'unreachable', processes } };
}

export function startShardHealth(opts: { port: number; host?: string; states: ShardState[]; redis: RedisClient }): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.url !== '/healthz') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found: try /healthz (each shard process serves /metrics on the next ports)\n');
      return;
    }
    const { ok, body } = await shardHealth(opts.states, opts.redis);
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve(server));
  });
}
