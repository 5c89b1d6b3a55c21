/**
 * A streamer kit, made: each part composed (src/core/kit.ts), rendered, given its loop points and
 * signed; then one zip with the audio, the MIDI and `kit.json`. The queue runs the parts as one
 * BullMQ flow (src/queue/kitFlow.ts); the CLI (`npm run kit`) runs them here, two at a time.
 */
import { zipSync } from 'fflate';
import { KIT_LENGTHS, KIT_PARTS, composeKitPart, planKit, type KitPart, type KitPlan, type KitRequest } from './core/kit.ts';
import type { MelodyGenerator } from './core/generator.ts';
import { formatKey } from './core/keys.ts';
import type { AudioFormat } from './core/request.ts';
import { scoreToMidi } from './midi/scoreToMidi.ts';
import { loopPointsOf, renderScoreAudio, signPiece } from './pipeline.ts';
import type { InstanceKey } from './provenance/keys.ts';
import { SAMPLE_RATE } from './render/synth.ts';
import { checkRenderSetup } from './render/tools.ts';
import { defaultMelodyGenerator } from './neural/defaultGenerator.ts';

export interface KitPartFiles {
  part: KitPart;
  audio: Buffer;
  midi: Buffer;
  extension: string;
  durationSec: number;
  bpm: number;
  key: string;
  meter: string;
  loop: { startSample: number; lengthSamples: number } | null;
  sections: string[];
  loudnessLufs: number;
}

export interface KitOptions {
  format: AudioFormat;
  soundfont?: string;
  generator?: MelodyGenerator;
  signal?: AbortSignal;
  sign?: InstanceKey | false;
}

export async function createKitPart(plan: KitPlan, part: KitPart, opts: KitOptions & { onProgress?: (fraction: number) => void }): Promise<KitPartFiles> {
  await checkRenderSetup(opts.soundfont);
  const score = await composeKitPart(plan, part, opts.generator ?? (await defaultMelodyGenerator()));
  const midi = scoreToMidi(score);
  opts.onProgress?.(0.1);
  const audio = await renderScoreAudio(score, midi, { format: opts.format, soundfont: opts.soundfont, signal: opts.signal });
  opts.onProgress?.(0.95);
  const signed = await signPiece(score, midi.bytes, audio, { recipe: { kind: 'kit', kit: plan.kit, part, request: plan.parts[part] }, content: `kit: ${part}`, sign: opts.sign });
  const loop = loopPointsOf(score);
  return {
    part,
    audio: Buffer.from(signed.audio!.data),
    midi: Buffer.from(signed.midi),
    extension: audio.extension,
    durationSec: score.durationSec,
    bpm: Number(score.bpm.toFixed(2)),
    key: formatKey(score.key),
    meter: `${score.meter.numerator}/${score.meter.denominator}`,
    loop: loop ? { startSample: loop.startFrame, lengthSamples: loop.lengthFrames } : null,
    sections: score.sections.map((s) => s.name),
    loudnessLufs: Number(audio.loudnessLufs.toFixed(2)),
  };
}

export function kitSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'kit';
}

const ENDS: Record<KitPart, string> = {
  intro: 'a cadence on the tonic chord',
  outro: 'the tonic chord',
  brb: 'its own start (seamless loop)',
  starting: 'its own start (seamless loop)',
  stinger: 'the tonic chord',
};

/** kit.json: what each file is, its length, its loop region, and what the parts share. */
export function kitJson(plan: KitPlan, parts: KitPartFiles[]) {
  const slug = kitSlug(plan.kit.name);
  return {
    name: plan.kit.name,
    style: plan.kit.style,
    mood: plan.kit.mood,
    seed: plan.kit.seed,
    shared: { key: plan.key, meter: plan.meter, bpm: plan.bpm, theme: 'every part opens with the same phrase of the lead (the stinger with its head)' },
    sampleRate: SAMPLE_RATE,
    parts: parts.map((p) => ({
      part: p.part,
      label: KIT_LENGTHS[p.part].label,
      audio: `${slug}-${p.part}.${p.extension}`,
      midi: `${slug}-${p.part}.mid`,
      durationSec: p.durationSec,
      bpm: p.bpm,
      key: p.key,
      meter: p.meter,
      endsOn: ENDS[p.part],
      loop: p.loop && { ...p.loop, startSec: p.loop.startSample / SAMPLE_RATE, lengthSec: p.loop.lengthSamples / SAMPLE_RATE, tags: p.extension === 'ogg' ? 'LOOPSTART/LOOPLENGTH comments' : p.extension === 'wav' ? 'smpl chunk' : 'none (MP3 has no standard loop tag): use these numbers' },
      sections: p.sections,
      loudnessLufs: p.loudnessLufs,
    })),
    verify: 'Every file carries a manifest signed by the Tunesmith instance that made it: /verify or npm run verify FILE.',
  };
}

export function kitZip(plan: KitPlan, parts: KitPartFiles[]): Buffer {
  const slug = kitSlug(plan.kit.name);
  const mtime = new Date('2000-01-01T00:00:00Z');
  const files: Record<string, [Uint8Array, { level: 0 | 6; mtime: Date }]> = {
    'kit.json': [Buffer.from(`${JSON.stringify(kitJson(plan, parts), null, 2)}\n`), { level: 6, mtime }],
  };
  for (const p of parts) {
    // Opus and MP3 are compressed already: stored, not deflated again.
    files[`${slug}-${p.part}.${p.extension}`] = [p.audio, { level: p.extension === 'wav' ? 6 : 0, mtime }];
    files[`${slug}-${p.part}.mid`] = [p.midi, { level: 6, mtime }];
  }
  return Buffer.from(zipSync(files));
}

/** Every part here, two at a time (the CLI); `onPart` hears each part start and finish. */
export async function createKit(kit: KitRequest, opts: KitOptions & { onPart?: (part: KitPart, state: 'started' | 'done') => void }): Promise<{ plan: KitPlan; parts: KitPartFiles[]; zip: Buffer }> {
  const plan = planKit(kit);
  const results = new Map<KitPart, KitPartFiles>();
  const queue = [...KIT_PARTS];
  const worker = async () => {
    for (let part = queue.shift(); part; part = queue.shift()) {
      opts.onPart?.(part, 'started');
      results.set(part, await createKitPart(plan, part, opts));
      opts.onPart?.(part, 'done');
    }
  };
  await Promise.all([worker(), worker()]);
  const parts = KIT_PARTS.map((p) => results.get(p)!);
  return { plan, parts, zip: kitZip(plan, parts) };
}
