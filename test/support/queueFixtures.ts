import { randomUUID } from 'node:crypto';
import { JobProducer } from '../../src/queue/producer.ts';
import type { useTestRedis } from './redis.ts';
import { pino } from 'pino';
import type { ComposeJobInput } from '../../src/queue/jobs.ts';
import type { DeliveryOutcome } from '../../src/queue/deliveryWorker.ts';
import type { Delivery } from '../../src/queue/jobs.ts';
import { makeRequest } from './requests.ts';
import type { CompositionRequest } from '../../src/core/request.ts';

export const quietLogger = pino({ level: 'silent' });

export function composeJob(overrides: { request?: Partial<CompositionRequest>; userId?: string; guildId?: string | null; requestId?: string } = {}): ComposeJobInput {
  return {
    requestId: overrides.requestId ?? randomUUID().replace(/-/g, ''),
    request: makeRequest({ durationSec: 3, ...overrides.request }),
    render: { format: 'ogg' },
    delivery: {
      applicationId: 'app',
      interactionToken: 'token',
      channelId: 'channel',
      guildId: overrides.guildId === undefined ? 'guild' : overrides.guildId,
      userId: overrides.userId ?? 'user',
      interactionAt: Date.now(),
    },
    understood: [],
    enqueuedAt: Date.now(),
  };
}

/** Records every delivery, so tests can check "exactly once". */
export class DeliveryLog {
  readonly entries: { delivery: Delivery | null; outcome: DeliveryOutcome }[] = [];
  readonly deliver = async (delivery: Delivery | null, outcome: DeliveryOutcome) => {
    this.entries.push({ delivery, outcome });
  };
  count(requestId: string): number {
    return this.entries.filter((e) => e.outcome.requestId === requestId).length;
  }
  of(requestId: string): DeliveryOutcome | undefined {
    return this.entries.find((e) => e.outcome.requestId === requestId)?.outcome;
  }
}

/** A producer on the file's test Redis (quick retries), closed after the test. */
export function testProducer(fixture: ReturnType<typeof useTestRedis>, opts: ConstructorParameters<typeof JobProducer>[1] = {}): JobProducer {
  const p = new JobProducer(fixture.redis.client(), { backoffMs: 100, ...opts });
  fixture.running.push(p);
  return p;
}
