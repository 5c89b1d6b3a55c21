/**
 * A radio section's render (src/core/radioSection.ts) → its Opus packets: fluidsynth synthesises
 * the previous section's last bars, the section and its hold bar in one go, at a fixed gain (a
 * per-section loudness normalisation would step the level at every join); ffmpeg's libopus
 * encodes from ENCODER_PRE_ROLL_PACKETS before the join, and those first packets are dropped.
 *
 * Packet n of an encode that starts on the stream's packet grid holds stream samples
 * [960n − preSkip, 960(n+1) − preSkip) (oggOpus.ts): every section's encode starts on that grid,
 * so the previous section's last packet and this one's first meet exactly, and the encoder has
 * heard the same audio the previous one did for 80 ms before it (the decoder carries on without a
 * step, as joinOpus relies on for the two halves of a split render).
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENCODER_PRE_ROLL_PACKETS, type SectionRender } from '../core/radioSection.ts';
import { encodeMidi } from '../midi/encodeMidi.ts';
import { scoreToMidiObject } from '../midi/scoreToMidi.ts';
import { RenderError, StderrTail } from './errors.ts';
import { makeScratchDir, ProcessGuard } from './lifecycle.ts';
import { OPUS_FRAME, readOggPackets } from './oggOpus.ts';
import { resolveSoundFont } from './soundfont.ts';
import { BYTES_PER_FRAME, fluidsynthArgs, spawnSynth } from './synth.ts';
import { findTools } from './tools.ts';
import { startWarmFileJob, SynthDaemonDied, warmSynthReady } from './warm/warmSynth.ts';

/** The radio's level: fluidsynth's gain for the font times this (no normalisation, see above). */
export const RADIO_GAIN_SCALE = 3.5;
export const RADIO_BITRATE_KBPS = 128;

export interface SectionAudio {
  /** The section's packets, 20 ms each, in order. */
  main: Buffer[];
  /** Its last bar once more: played (and repeated) while the next section is late. */
  hold: Buffer[];
  timings: { synthMs: number; encodeMs: number };
}

export async function renderSection(plan: SectionRender, opts: { soundfont?: string; signal?: AbortSignal } = {}): Promise<SectionAudio> {
  const tools = findTools();
  const font = resolveSoundFont(opts.soundfont);
  const { midi } = scoreToMidiObject(plan.score);
  midi.header.tempos = plan.tempos.map((t) => ({ ticks: t.tick, bpm: t.bpm }));
  midi.header.update();
  const scratch = await makeScratchDir();
  const guard = new ProcessGuard({ signal: opts.signal, timeoutMs: 120_000, what: 'radio section render' });
  try {
    const midiBytes = encodeMidi(midi);
    const gain = font.gain * RADIO_GAIN_SCALE;
    const t0 = performance.now();
    const rendered = (await warmSynthReady()) ? await synthWarm(font.path, midiBytes, plan.totalSamples, gain, join(scratch.dir, 'section.pcm'), guard) : await synthCli(tools.fluidsynth, font, midiBytes, gain, join(scratch.dir, 'section.mid'), guard);
    const t1 = performance.now();

    // Encoder input: from ENCODER_PRE_ROLL_PACKETS before the join to the end of the hold (+ look-ahead).
    const preRoll = ENCODER_PRE_ROLL_PACKETS * OPUS_FRAME;
    const input = Buffer.alloc((preRoll + plan.totalSamples - plan.joinSample) * BYTES_PER_FRAME);
    const fromSample = plan.joinSample - preRoll;
    const srcStart = Math.max(0, fromSample) * BYTES_PER_FRAME;
    const dstStart = Math.max(0, -fromSample) * BYTES_PER_FRAME;
    rendered.copy(input, dstStart, srcStart, Math.min(rendered.length, srcStart + input.length - dstStart));
    const ogg = await encodeOpus(tools.ffmpeg, input, guard);
    const packets = readOggPackets(ogg).audio.slice(ENCODER_PRE_ROLL_PACKETS);
    const mainCount = plan.sectionSamples / OPUS_FRAME;
    const holdCount = plan.holdSamples / OPUS_FRAME;
    if (packets.length < mainCount + holdCount) throw new RenderError('ffmpeg', `the section encoded to ${packets.length} packets, ${mainCount + holdCount} needed`, '');
    return { main: packets.slice(0, mainCount), hold: packets.slice(mainCount, mainCount + holdCount), timings: { synthMs: t1 - t0, encodeMs: performance.now() - t1 } };
  } finally {
    guard.dispose();
    await scratch.remove();
  }
}

/**
 * On the worker's warm synthesiser (warm/warmSynth.ts, the one compose renders use): no fluidsynth
 * start or SoundFont load per section. A daemon that dies mid-job is replaced and the section
 * synthesised again once.
 */
async function synthWarm(fontPath: string, midi: Uint8Array, frames: number, gain: number, pcmPath: string, guard: ProcessGuard): Promise<Buffer> {
  for (let attempt = 1; ; attempt++) {
    try {
      const job = await startWarmFileJob(fontPath, 48_000, { midi, frames, gain, reverb: true, chorus: false, path: pcmPath, measureStart: 0, measureFrames: frames }, guard);
      await job.stats;
      return await readFile(pcmPath);
    } catch (e) {
      if (e instanceof SynthDaemonDied && attempt === 1 && !guard.failedWith) continue;
      throw e;
    }
  }
}

/** The fluidsynth CLI, where no warm synthesiser can run (TUNESMITH_WARM_SYNTH=0, or the daemon could not be built). */
async function synthCli(fluidsynth: string, font: ReturnType<typeof resolveSoundFont>, midi: Uint8Array, gain: number, midiPath: string, guard: ProcessGuard): Promise<Buffer> {
  await writeFile(midiPath, midi);
  const synth = spawnSynth(fluidsynth, fluidsynthArgs(font, midiPath, {}, gain), guard);
  const chunks: Buffer[] = [];
  synth.stdout.on('data', (c: Buffer) => chunks.push(c));
  await synth.exited;
  return Buffer.concat(chunks);
}

function encodeOpus(ffmpeg: string, pcm: Buffer, guard: ProcessGuard): Promise<Buffer> {
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-f', 's16le', '-ar', '48000', '-ac', '2', '-i', 'pipe:0'],
    ...['-c:a', 'libopus', '-b:a', `${RADIO_BITRATE_KBPS}k`, '-frame_duration', '20', '-application', 'audio', '-f', 'ogg', 'pipe:1'],
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const untrack = guard.track(() => child.kill('SIGKILL'));
    const stderr = new StderrTail();
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    child.stdin.on('error', () => {});
    child.once('error', (e) => reject(new RenderError('ffmpeg', `could not start ${ffmpeg}: ${e.message}`, '', { cause: e })));
    child.once('close', (code, signal) => {
      untrack();
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new RenderError('ffmpeg', signal ? `killed by ${signal}` : `exited with code ${code}`, stderr.toString()));
    });
    child.stdin.end(pcm);
  });
}
