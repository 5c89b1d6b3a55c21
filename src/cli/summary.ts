/** The human summary printed after a compose: what was understood, the music, the files, the time. */
import { formatKey } from '../core/keys.ts';
import type { Piece } from '../pipeline.ts';
import { ticksToSeconds } from '../core/score.ts';

export interface SummaryInput {
  piece: Piece;
  understood: string[];
  ignored: string[];
  conflicts: string[];
  seedWasRandom: boolean;
  files: string[];
}

function mmss(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

export function formatSummary({ piece, understood, ignored, conflicts, seedWasRandom, files }: SummaryInput): string {
  const { score, plan, timings } = piece;
  const lines: string[] = [];
  lines.push(`♪ ${score.meta.title}`);
  if (understood.length) lines.push(`  understood: ${understood.join('; ')}`);
  if (ignored.length) lines.push(`  ignored:    ${ignored.join(', ')}`);
  for (const c of conflicts) lines.push(`  note:       ${c}`);
  lines.push(`  style/mood: ${plan.style.name} / ${plan.mood.id} (energy ${plan.energy})`);
  lines.push(`  key:        ${formatKey(score.key)}    tempo: ${Number(score.bpm.toFixed(2))} bpm    meter: ${score.meter.numerator}/${score.meter.denominator}`);
  lines.push(`  length:     ${score.durationSec} s${score.meta.loop ? ' (seamless loop)' : ' (ends on the tonic, release tail included)'}`);
  const sections = score.sections.map((s) => `${s.name} ${mmss(ticksToSeconds(s.startTick, score.bpm))}`);
  lines.push(`  sections:   ${sections.join(' · ')}`);
  lines.push(`  chords:     ${[...new Set(score.chords.map((c) => c.symbol))].join(' ')}`);
  lines.push(`  parts:      ${score.tracks.map((t) => `${t.name} (${t.notes.length} notes)`).join(', ')}`);
  lines.push(`  seed:       ${score.meta.seed}${seedWasRandom ? ' (random — pass --seed to repeat it)' : ''}    generator: ${score.meta.generator}`);
  for (const note of plan.notes) lines.push(`  note:       ${note}`);
  if (piece.audio) lines.push(`  loudness:   ${piece.audio.loudnessLufs.toFixed(1)} LUFS (gain ${piece.audio.gainDb.toFixed(1)} dB)`);
  const t = timings;
  const total = t.composing + t.midi + t.picture + t.rendering;
  lines.push(`  time:       compose ${t.composing.toFixed(0)} ms · MIDI ${t.midi.toFixed(0)} ms · picture ${t.picture.toFixed(0)} ms · render+encode ${t.rendering.toFixed(0)} ms · total ${total.toFixed(0)} ms`);
  lines.push('  files:');
  for (const f of files) lines.push(`    ${f}`);
  return lines.join('\n');
}
