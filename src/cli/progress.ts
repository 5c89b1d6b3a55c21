/** A one-line progress display on stderr: redrawn in place on a terminal, plain lines otherwise. */
import type { PieceProgress, Stage } from '../pipeline.ts';

const LABEL: Record<Stage, string> = {
  composing: 'composing',
  midi: 'writing MIDI',
  picture: 'drawing piano roll',
  rendering: 'rendering audio',
  done: 'done',
};

export function progressBar(fraction: number, width = 20): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%`;
}

export function createProgressLine(stream: NodeJS.WriteStream = process.stderr): { update: (p: PieceProgress) => void; end: () => void } {
  const tty = Boolean(stream.isTTY);
  let last = '';
  return {
    update(p) {
      const line = `${progressBar(p.fraction)} ${LABEL[p.stage]}`;
      if (line === last) return;
      last = line;
      stream.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    end() {
      if (tty && last) stream.write('\n');
    },
  };
}
