/**
 * Every measure of one piece: the MIDI measures from its Score, the audio measures from its
 * rendered PCM (with the LRA ffmpeg reported for the same audio).
 */
import { ticksToSeconds, type Score } from '../../core/score.ts';
import { barLineGaps, type BarLineGapResult } from './barLineGaps.ts';
import { drumKit, type DrumKitResult } from './drumKit.ts';
import { dropouts, type DropoutResult, type Pcm } from './dropouts.ts';
import { fourOnTheFloor, type FourOnTheFloorResult } from './fourOnTheFloor.ts';
import { leadAbove, type LeadAboveResult } from './leadAbove.ts';
import { sectionLoudness, type SectionLoudness } from './loudness.ts';
import { excerptMetrics, scoreMelodyExcerpt } from './melodyOverlap.ts';
import { polyphony } from './polyphony.ts';
import { isBreakSection } from './sections.ts';
import { themeReturn, type ThemeReturnResult } from './themeReturn.ts';
import type { Metrics } from '../../neural/metrics.ts';

export interface MidiMeasures {
  themeReturn: ThemeReturnResult;
  fourOnTheFloor: FourOnTheFloorResult;
  drumKit: DrumKitResult;
  barLineGaps: BarLineGapResult;
  leadAbove: LeadAboveResult;
  polyphony: number;
  /** Melody metrics of the 20-bar lead excerpt (null when the lead is silent). */
  melody: Metrics | null;
}

export interface AudioMeasures {
  dropouts: Omit<DropoutResult, 'at'> & { at: number[] };
  lraLu: number;
  sections: SectionLoudness[];
  sectionSpreadLu: number | null;
}

export function midiMeasures(score: Score): MidiMeasures {
  const excerpt = scoreMelodyExcerpt(score);
  return {
    themeReturn: themeReturn(score),
    fourOnTheFloor: fourOnTheFloor(score),
    drumKit: drumKit(score),
    barLineGaps: barLineGaps(score),
    leadAbove: leadAbove(score),
    polyphony: polyphony(score),
    melody: excerpt ? excerptMetrics(excerpt) : null,
  };
}

/** Seconds of each section of the score. */
export function sectionSeconds(score: Score): { name: string; startSec: number; endSec: number; isBreak: boolean }[] {
  return score.sections.map((s) => ({
    name: s.name,
    startSec: ticksToSeconds(s.startTick, score.bpm, score.ppq),
    endSec: ticksToSeconds(s.endTick, score.bpm, score.ppq),
    isBreak: isBreakSection(s),
  }));
}

export function audioMeasures(score: Score, pcm: Pcm, lraLu: number): AudioMeasures {
  const sections = sectionSeconds(score);
  // The final cadence and its release (from Score.endTick to the end of the file) and breaks are excepted.
  const excluded = [{ startSec: ticksToSeconds(score.endTick, score.bpm, score.ppq), endSec: Infinity }, ...sections.filter((s) => s.isBreak)];
  const drop = dropouts(pcm, excluded);
  const loud = sectionLoudness(pcm, sections);
  return { dropouts: { ...drop, at: drop.at.slice(0, 20).map((t) => Math.round(t * 1000) / 1000) }, lraLu, sections: loud.sections, sectionSpreadLu: loud.spreadLu };
}
