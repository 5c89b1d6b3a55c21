/**
 * The radio end to end (issue 15): the real bot against the fake Discord, with BOT_WORKERS=0 (the
 * bot renders nothing) and real worker processes rendering sections; the audio is what the fake's
 * voice server received over RTP, decoded. Sections are 15 s (RADIO_SECTION_SEC) and playback is
 * real time, so the tests share one radio where they can and each is bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VoiceManager } from '../../src/bot/voice/manager.ts';
import type { RadioManager } from '../../src/bot/voice/radio.ts';
import type { RadioStation } from '../../src/bot/voice/radioStation.ts';
import { startHarness, type Harness } from '../support/botHarness.ts';
import { decodeOpus, type FakeChannel, type FakeGuild, type FakeMessage, type FakeUser, type OpusFrame } from '../support/fake-discord.ts';
import { measureJoin, worstFrameDrop } from '../support/radioJoins.ts';
import { waitFor } from '../support/wait.ts';
import { WorkerProcess } from '../support/workerProcess.ts';

const IDLE_SEC = 5;
let h: Harness;
let guild: FakeGuild;
let text: FakeChannel;
let music: FakeChannel;
let alice: FakeUser;
let bob: FakeUser;
const workers: WorkerProcess[] = [];

function startWorker(): WorkerProcess {
  const w = new WorkerProcess({ REDIS_URL: h.redis.url, JOB_LOCK_MS: '3000', JOB_STALLED_CHECK_MS: '1000', WORKER_CONCURRENCY: '1' });
  workers.push(w);
  return w;
}

beforeAll(async () => {
  h = await startHarness({ VOICE_IDLE_SEC: String(IDLE_SEC), BOT_WORKERS: '0', RADIO_SECTION_SEC: '15' });
  ({ guild, text, voice: music, alice, bob } = h.seeded);
  await Promise.all([startWorker().ready(), startWorker().ready()]);
  await setVoice(alice, music);
}, 90_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await h?.stop();
});

const radio = () => h.bot.ctx.services.radio as RadioManager;
const voice = () => h.bot.ctx.services.voice as VoiceManager;

async function setVoice(user: FakeUser, channel: FakeChannel | null, g: FakeGuild = guild): Promise<void> {
  g.setVoiceState(user, channel);
  await waitFor(() => (h.bot.client.guilds.cache.get(g.id)?.voiceStates.cache.get(user.id)?.channelId ?? null) === (channel?.id ?? null), {
    timeout: 5000,
    message: `the bot to see ${user.username} ${channel ? `in ${channel.name}` : 'leave voice'}`,
  });
}

/** Every frame the bot sent in a guild since `from` (silence frames included), in order. */
function framesSince(g: FakeGuild, from: number): OpusFrame[] {
  return h.discord.voice.connections
    .filter((c) => c.guildId === g.id)
    .flatMap((c) => c.frames)
    .filter((f) => f.receivedAt >= from)
    .sort((a, b) => a.receivedAt - b.receivedAt);
}

async function startRadio(user: FakeUser, options: Record<string, string>, g: FakeGuild = guild, channel: FakeChannel = text): Promise<{ station: RadioStation; reply: string }> {
  const it = await h.discord.invoke('radio start', options, { user, channel });
  const reply = await it.waitForOriginal((m) => /radio/i.test(m.content), 20_000);
  const station = await waitFor(() => radio().stations.get(g.id), { timeout: 5000, message: 'the station' });
  return { station, reply: reply.content };
}

function panelOf(station: RadioStation, channel: FakeChannel = text): FakeMessage | undefined {
  return h.discord.messagesIn(channel).find((m) => m.id === station.panelId);
}

/** Wait until `count` sections have started to be heard (feed marks), plus `extraSec` of the last. */
async function heardSections(station: RadioStation, count: number, extraSec: number, timeout: number): Promise<void> {
  await waitFor(() => {
    const marks = station.feed.marks.filter((m) => !m.hold);
    const last = marks[count - 1];
    return last && station.heardPacket() >= last.packet + extraSec * 50;
  }, { timeout, interval: 200, message: () => `${count} sections heard (marks ${JSON.stringify(station.feed.marks)}, heard ${station.heardPacket()})` });
}

describe('/radio', () => {
  let station: RadioStation;
  let t0 = 0;

  it('plays continuous sections with seamless joins, and the panel shows what plays', async () => {
    t0 = Date.now();
    const started = await startRadio(alice, { style: 'lofi', mood: 'calm' });
    station = started.station;
    expect(started.reply).toMatch(/started the radio/);
    // Two joins: three sections heard (~33 s of audio).
    await heardSections(station, 3, 1, 90_000);
    const frames = framesSince(guild, t0);
    const first = frames.findIndex((f) => !f.silence);
    const played = frames.slice(first);
    const audio = played.filter((f) => !f.silence);
    // No silent packet from the first audio packet on, RTP timestamps and sequence numbers contiguous.
    expect(played.length - audio.length).toBe(0);
    for (let i = 1; i < audio.length; i++) {
      expect((audio[i]!.timestamp - audio[i - 1]!.timestamp) >>> 0).toBe(960);
      expect((audio[i]!.sequence - audio[i - 1]!.sequence) & 0xffff).toBe(1);
    }
    const { pcm } = decodeOpus(audio.map((f) => f.opus));
    const joins = station.feed.marks.filter((m) => !m.hold && m.packet > 0).map((m) => m.packet * 960).filter((at) => at + 48_000 < pcm.length / 2);
    expect(joins.length).toBeGreaterThanOrEqual(2);
    for (const at of joins) {
      const join = measureJoin(pcm, at);
      // No step at the join larger than the music's own nearby, no frame 20 dB under its neighbours.
      expect(join.jump, JSON.stringify(join)).toBeLessThanOrEqual(join.ownMax);
      expect(join.levelDb, JSON.stringify(join)).toBeGreaterThan(-20);
    }
    expect(worstFrameDrop(pcm, 5).dropDb).toBeGreaterThan(-20);
    const panel = panelOf(station)!;
    expect(panel.content).toMatch(/Style\*\* lofi · \*\*Mood\*\* calm · \*\*Energy\*\* \w+ · \*\*Key\*\* [A-G][b#]? (major|minor) · \*\*Tempo\*\* \d+ bpm/);
    expect(panel.content).toMatch(/Section [3-9]/);
    expect(panel.customIds.filter((id) => id.startsWith(`ts:radio:${guild.id}:`))).toHaveLength(6);
  }, 150_000);
});
