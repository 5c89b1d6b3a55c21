/**
 * The bot's DeliverFn: turns a finished (or failed) job into the final reply. Edits the deferred
 * reply while the interaction token lives; after 15 minutes posts in the channel instead.
 * An edit is idempotent, so a redelivery after a crash shows the same single message.
 */
import type { Job } from 'bullmq';
import type { REST } from 'discord.js';
import type { Logger } from 'pino';
import type { DeliveryOutcome } from '../queue/deliveryWorker.ts';
import type { DeliverJob, Delivery } from '../queue/jobs.ts';
import { failureContent, resultMessage } from './messages.ts';
import type { ProgressTracker } from './progress.ts';
import { editOriginal, postToChannel, tokenAlive, type ReplyBody } from './webhook.ts';

export function createDiscordDelivery(rest: REST, progress: ProgressTracker, logger: Logger) {
  return async (delivery: Delivery | null, outcome: DeliveryOutcome, job: Job<DeliverJob>): Promise<void> => {
    if (!delivery) return; // a job with nowhere to go (CLI, bench)
    const composeJobId = String(job.id).replace(/^deliver-/, '');
    let body: ReplyBody;
    if (outcome.outcome === 'failure') {
      body = { content: failureContent(outcome.message) };
    } else {
      await progress.stage(composeJobId, 'uploading', 0.95);
      const message = resultMessage(job.data.outcome === 'success' ? job.data.resultId : '', outcome.piece, {
        understood: outcome.understood,
        cached: outcome.cached,
      });
      body = message;
    }
    await progress.finish(composeJobId);
    if (tokenAlive(delivery)) {
      await editOriginal(rest, delivery, body);
    } else {
      logger.info({ requestId: outcome.requestId }, 'interaction token expired: posting in the channel instead');
      await postToChannel(rest, delivery, body);
    }
  };
}
