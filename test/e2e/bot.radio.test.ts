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
import { RADIO_VALENCE_LADDER } from '../../src/core/catalog/radio.ts';
import { restartBot, stopHarness } from '../bot/restartBot.ts';
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
  await stopHarness(h);
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

async function click(message: FakeMessage, choice: string, user: FakeUser): Promise<string> {
  const it = await h.discord.click(message, `ts:radio:${guild.id}:${choice}`, user);
  await it.waitForCallback();
  return (await it.waitForOriginal()).content;
}

/**
 * DAVE: from the first end-to-end encrypted frame on (frames before the group exists pass
 * through), every audio frame is E2EE and a listener's DAVE client decrypted it.
 */
function expectSealed(audio: OpusFrame[]): void {
  const first = audio.findIndex((f) => f.e2ee);
  expect(first, 'an E2EE frame').toBeGreaterThanOrEqual(0);
  expect(audio.slice(first).filter((f) => !f.e2ee || f.undecrypted).length, 'plain or undecrypted frames after the first E2EE one').toBe(0);
}

/** No silence frame and contiguous RTP from the first audio frame on; the decoded audio never drops 20 dB frame to frame. */
function expectUnbroken(frames: OpusFrame[]): void {
  const first = frames.findIndex((f) => !f.silence);
  const played = frames.slice(first);
  expect(played.filter((f) => f.silence)).toHaveLength(0);
  expectSealed(played);
  for (let i = 1; i < played.length; i++) expect((played[i]!.timestamp - played[i - 1]!.timestamp) >>> 0).toBe(960);
  const { pcm } = decodeOpus(played.map((f) => f.opus));
  expect(worstFrameDrop(pcm, 5).dropDb).toBeGreaterThan(-20);
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
    await heardSections(station, 3, 2, 90_000);
    const frames = framesSince(guild, t0);
    const first = frames.findIndex((f) => !f.silence);
    const played = frames.slice(first);
    const audio = played.filter((f) => !f.silence);
    expectSealed(audio);
    // No silent packet from the first audio packet on, RTP timestamps and sequence numbers contiguous.
    expect(played.length - audio.length).toBe(0);
    for (let i = 1; i < audio.length; i++) {
      expect((audio[i]!.timestamp - audio[i - 1]!.timestamp) >>> 0).toBe(960);
      expect((audio[i]!.sequence - audio[i - 1]!.sequence) & 0xffff).toBe(1);
    }
    const { pcm } = decodeOpus(audio.map((f) => f.opus));
    const joins = station.feed.marks.filter((m) => !m.hold && m.packet > 0).map((m) => m.packet * 960).filter((at) => at + 24_000 < pcm.length / 2);
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

  it('counts one vote per listener in the voice channel; the majority moves the next section, heard ≤ 30 s after the press, even for a press just after a window closed', async () => {
    const heard = station.nowHeard()!.spec;
    const panel = panelOf(station)!;
    // bob is not in the voice channel: no vote.
    expect(await click(panel, 'energy', bob)).toMatch(/Only listeners in <#\d+> can vote/);
    await setVoice(bob, music);
    // Press as a section starts: its end is furthest away, so the section is cut to bring the choice in.
    await waitFor(() => station.nowHeard()!.spec.index > heard.index, { timeout: 30_000, interval: 100, message: 'the next section' });
    const before = station.nowHeard()!.spec;
    const pressedAt = Date.now();
    expect(await click(panel, 'energy', alice)).toMatch(/Your vote: \*\*⚡ more energy\*\*/);
    expect(await click(panel, 'calmer', alice)).toMatch(/voted in this window already/);
    // The worst moment: bob presses just after alice's window closed (the next section is fixed by then).
    const first = await waitFor(() => station.choices.find((c) => c.openedAt >= pressedAt), { timeout: 15_000, interval: 20, message: 'alice\'s window to close' });
    const bobAt = Date.now();
    expect(await click(panel, 'happier', bob)).toMatch(/Your vote: \*\*/);
    const chosen = await waitFor(() => station.choices.find((c) => c === first && c.heardAt !== undefined), { timeout: 40_000, interval: 50, message: () => `alice's choice heard (${JSON.stringify(station.choices)})` });
    const after = station.nowHeard()!.spec;
    expect(after.index).toBe(chosen.index);
    expect(after.bpm).toBeGreaterThan(before.bpm);
    expect(['low', 'medium', 'high'].indexOf(after.energy)).toBe(Math.min(2, ['low', 'medium', 'high'].indexOf(before.energy) + 1));
    const second = await waitFor(() => station.choices.find((c) => c.openedAt >= bobAt && c.heardAt !== undefined), { timeout: 45_000, interval: 50, message: () => `bob's choice heard (${JSON.stringify(station.choices)})` });
    const afterBob = station.nowHeard()!.spec;
    expect(afterBob.index).toBe(second.index);
    expect(RADIO_VALENCE_LADDER.indexOf(afterBob.mood)).toBe(Math.min(RADIO_VALENCE_LADDER.length - 1, RADIO_VALENCE_LADDER.indexOf(after.mood) + 1));
    // Heard: the fake Discord received the first packet of the section carrying the choice. The
    // station counts a packet heard when the player takes it; the fake may not have read it off the
    // socket yet, so wait for it to arrive.
    const packetOf = (index: number) => station.feed.marks.find((m) => m.index === index && !m.hold)!.packet;
    const lastPacket = Math.max(packetOf(chosen.index), packetOf(second.index));
    const audio = await waitFor(() => { const a = framesSince(guild, t0).filter((f) => !f.silence); return a.length > lastPacket ? a : undefined; }, { timeout: 5000, message: `packet ${lastPacket} at the fake` });
    const heardAt = (index: number) => audio[packetOf(index)]!.receivedAt;
    console.log(`press → heard: alice ${heardAt(chosen.index) - pressedAt} ms, bob (just after her window closed) ${heardAt(second.index) - bobAt} ms`);
    expect(chosen.index).toBe(before.index + 1);
    expect(heardAt(chosen.index) - pressedAt).toBeLessThanOrEqual(30_000);
    expect(second.index).toBeGreaterThan(chosen.index);
    expect(heardAt(second.index) - bobAt).toBeLessThanOrEqual(30_000);
    await setVoice(bob, null);
    await waitFor(() => /The room chose \*\*/.test(panelOf(station)!.content), { timeout: 5000, message: () => `the panel to say what the room chose: ${panelOf(station)!.content}` });
    // The room's choice counts towards the guild's taste.
    expect((await radio().store.taste(guild.id)).style).toBe('lofi');
  }, 120_000);

  it('plays on without a gap when the worker rendering a section is killed (kill -9)', async () => {
    const from = Date.now();
    const index = station.feed.feeding;
    // The next section asked for is rendered now or soon: kill whichever worker starts it.
    const victim = await waitFor(
      () => workers.find((w) => w.logs.some((l) => l.msg === 'radio section started' && typeof l.time === 'number' && l.time >= from && (l.section as number) > index + 1)),
      { timeout: 30_000, interval: 5, message: 'a worker to start rendering a section' },
    );
    const section = victim.logs.find((l) => l.msg === 'radio section started' && (l.time as number) >= from)!.section as number;
    expect(victim.logs.some((l) => l.msg === 'radio section rendered' && l.section === section)).toBe(false);
    victim.signal('SIGKILL');
    await victim.exited;
    startWorker();
    // That section is rendered by another worker and heard, then one more section follows.
    await waitFor(() => (station.nowHeard()?.spec.index ?? 0) >= section + 1, { timeout: 90_000, interval: 200, message: () => `section ${section + 1} heard (now ${station.nowHeard()?.spec.index})` });
    expect(workers.filter((w) => w !== victim).some((w) => w.logs.some((l) => l.msg === 'radio section rendered' && l.section === section))).toBe(true);
    expectUnbroken(framesSince(guild, from));
  }, 120_000);

  it('resumes after a bot restart with a new section and the same settings', async () => {
    const before = station.nowHeard()!.spec;
    const panelId = station.panelId;
    await restartBot(h);
    const resumed = await waitFor(() => radio().stations.get(guild.id), { timeout: 15_000, message: 'the radio to resume' });
    expect(resumed).not.toBe(station);
    const from = Date.now();
    await waitFor(() => resumed.nowHeard(), { timeout: 30_000, interval: 100, message: () => `the first section after the restart (${h.logs.filter((l) => /radio|voice/.test(l)).slice(-12).join('\n')})` });
    const spec = resumed.nowHeard()!.spec;
    expect(spec.index).toBe(before.index + 1);
    expect(spec.kind).toBe('open');
    expect([spec.style, spec.mood]).toEqual([before.style, before.mood]);
    expect(spec.energy).toBe(before.energy);
    expect(resumed.panelId).toBe(panelId);
    await waitFor(() => framesSince(guild, from).filter((f) => !f.silence).length > 150, { timeout: 15_000, message: '3 s of audio after the restart' });
    expectUnbroken(framesSince(guild, from));
    station = resumed;
  }, 90_000);

  it('leaves when the channel stays empty for VOICE_IDLE_SEC, and says so on the panel', async () => {
    await setVoice(bob, null);
    await setVoice(alice, null);
    await waitFor(() => !guild.voiceStates.has(h.discord.bot.id), { timeout: (IDLE_SEC + 5) * 1000, message: 'the bot to leave voice' });
    expect(station.stopped).toBe(true);
    expect(radio().stations.has(guild.id)).toBe(false);
    await waitFor(() => /radio is off: everyone left/.test(panelOf(station)!.content), { timeout: 5000, message: () => `the panel to say why: ${panelOf(station)!.content}` });
    expect(panelOf(station)!.customIds).toHaveLength(0);
    expect(await h.bot.ctx.redis.exists('tunesmith:radio:state:' + guild.id)).toBe(0);
  }, 30_000);

  it('/radio start without options starts where the server likes it; DJ role and style allow-list; /radio stop', async () => {
    await setVoice(alice, music);
    const dj = guild.addRole({ name: 'DJ' });
    await h.bot.ctx.settings.update(guild.id, { djRoleId: dj.id, radioStyles: ['jazz', 'lofi'] });
    await setVoice(bob, music);
    const refused = await h.discord.invoke('radio start', {}, { user: bob, channel: text });
    expect((await refused.waitForOriginal()).content).toMatch(/Only members with the <@&\d+> role \(or Manage Server\) can start or stop the radio/);
    guild.addMember(alice, { roles: [dj] });
    const offList = await h.discord.invoke('radio start', { style: 'synthwave' }, { user: alice, channel: text });
    expect((await offList.waitForOriginal()).content).toMatch(/plays only jazz, lofi .* "synthwave" is not on the list\. Nearest allowed: \w+/);
    const { station: s, reply } = await startRadio(alice, {});
    expect(reply).toMatch(/lofi, calm, medium energy \(where this server’s listeners like it most\)/);
    await waitFor(() => s.nowHeard(), { timeout: 30_000, message: 'the radio to play' });
    const bobStop = await h.discord.invoke('radio stop', {}, { user: bob, channel: text });
    expect((await bobStop.waitForOriginal()).content).toMatch(/Only members with the/);
    const stop = await h.discord.invoke('radio stop', {}, { user: alice, channel: text });
    expect((await stop.waitForOriginal()).content).toMatch(/stopped the radio and I left/);
    await waitFor(() => !guild.voiceStates.has(h.discord.bot.id), { timeout: 5000, message: 'the bot to leave voice' });
    expect(s.stopped).toBe(true);
    await waitFor(() => /radio is off: stopped with \/radio stop/.test(panelOf(s)!.content), { timeout: 5000, message: 'the panel to say it stopped' });
    await setVoice(bob, null);
    await h.bot.ctx.settings.update(guild.id, { djRoleId: null, radioStyles: [] });
  }, 60_000);

  it('plays in two guilds at once, each seamless', async () => {
    const second = h.discord.seedGuild('Second');
    await waitFor(() => h.bot.client.guilds.cache.get(second.guild.id), { timeout: 5000, message: 'the second guild' });
    await setVoice(second.alice, second.voice, second.guild);
    const from = Date.now();
    const a = await startRadio(alice, { style: 'jazz', mood: 'happy' });
    const it2 = await h.discord.invoke('radio start', { style: 'ambient', mood: 'dark' }, { user: second.alice, channel: second.text });
    await it2.waitForOriginal((m) => /started the radio/.test(m.content), 20_000);
    const b = await waitFor(() => radio().stations.get(second.guild.id), { timeout: 5000, message: 'the second station' });
    await Promise.all([heardSections(a.station, 2, 1, 60_000), heardSections(b, 2, 1, 60_000)]);
    expect(voice().size).toBe(2);
    expect(a.station.nowHeard()!.spec.style).toBe('jazz');
    expect(b.nowHeard()!.spec.style).toBe('ambient');
    expectUnbroken(framesSince(guild, from));
    expectUnbroken(framesSince(second.guild, from));
    voice().leaveAll('stopped');
  }, 90_000);
});
