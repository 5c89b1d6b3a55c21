/**
 * Prometheus metrics (prom-client) and the /healthz + /metrics HTTP endpoint, served by every
 * bot and worker process.
 */
import { createServer, type Server } from 'node:http';
import type { Queue } from 'bullmq';
import type { RedisClient } from './redisConnection.ts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Piece } from '../pipeline.ts';

export class QueueMetrics {
  readonly registry = new Registry();
  readonly stageSeconds = new Histogram({
    name: 'tunesmith_stage_duration_seconds',
    help: 'Time spent per pipeline stage',
    labelNames: ['stage'],
    buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly jobSeconds = new Histogram({
    name: 'tunesmith_job_duration_seconds',
    help: 'Time from enqueue to result delivered',
    buckets: [0.5, 1, 2, 5, 10, 20, 40, 80, 160],
    registers: [this.registry],
  });
  readonly failures = new Counter({ name: 'tunesmith_job_failures_total', help: 'Jobs that failed for good', labelNames: ['reason'], registers: [this.registry] });
  readonly cacheHits = new Counter({ name: 'tunesmith_cache_hits_total', help: 'Requests served from stored results', registers: [this.registry] });
  readonly rejected = new Counter({ name: 'tunesmith_jobs_rejected_total', help: 'Requests refused by limits', labelNames: ['reason'], registers: [this.registry] });
  readonly voiceConnections = new Gauge({ name: 'tunesmith_voice_connections', help: 'Active voice connections', registers: [this.registry] });

  constructor(queues: Queue[] = []) {
    collectDefaultMetrics({ register: this.registry, prefix: 'tunesmith_process_' });
    new Gauge({
      name: 'tunesmith_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        for (const queue of queues) {
          const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed');
          for (const [state, n] of Object.entries(counts)) this.set({ queue: queue.name, state }, n);
        }
      },
    });
  }

  observePiece(piece: Piece): void {
    for (const [stage, ms] of Object.entries(piece.timings)) this.stageSeconds.observe({ stage }, ms / 1000);
  }
}

/** /healthz answers 200 while Redis answers PING, else 503; /metrics is the Prometheus text. */
export function startHealthServer(opts: { port: number; host?: string; metrics: QueueMetrics; redis: RedisClient; name: string }): Promise<Server> {
  const server = createServer(async (req, res) => {
    try {
      if (req.url === '/healthz') {
        const ok = await Promise.race([opts.redis.ping().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1000))]).catch(() => false);
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: ok ? 'ok' : 'redis unreachable', process: opts.name }));
      } else if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': opts.metrics.registry.contentType });
        res.end(await opts.metrics.registry.metrics());
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found: try /healthz or /metrics\n');
      }
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`metrics error: ${(error as Error).message}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve(server));
  });
}
