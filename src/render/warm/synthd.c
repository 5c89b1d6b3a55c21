/*
 * tunesmith-synthd: a warm fluidsynth. It loads one SoundFont once, then renders MIDI files sent on
 * stdin to raw PCM on stdout, one job after another, as fast as the CPU allows. The fluidsynth CLI
 * can only fast-render the files named on its command line, so every render paid a process start
 * and a SoundFont load (about 0.2 s of CPU with FluidR3); its shell mode plays in real time only.
 *
 * It calls libfluidsynth.so.3 (the library the fluidsynth CLI uses) through dlopen, so building it
 * needs only a C compiler, no -dev package. Built and started by warmSynth.ts.
 *
 * Usage: tunesmith-synthd SOUNDFONT SAMPLE_RATE DYNAMIC_SAMPLE_LOADING(0|1)
 *
 * Protocol (little-endian), one job at a time:
 *   request:  "TSJ1" u32 job  u32 midiBytes  u32 frames  f32 gain  u32 flags(bit0 reverb, bit1 chorus)  midi…
 *   response: "TSR1" u32 job  u32 status(0 ok)  u32 n, then n bytes: status 0 → n = frames × 4 bytes of
 *             s16le stereo PCM; otherwise n bytes of error text.
 *   request:  "TSJ2" as TSJ1, then u32 measureStart  u32 measureFrames  u32 pathBytes, midi…, path…
 *   response: "TSR1" u32 job  u32 status  u32 n; status 0: the PCM went to the file at `path` (created
 *             or truncated), and n bytes of loudness statistics follow (see meter below): f64 sample peak,
 *             u32 step frames, u32 steps, then `steps` f64 K-weighted step powers. The render's
 *             caller never touches the samples while they are made: on two cores its event loop
 *             would otherwise take CPU from the two synths of a split render.
 * Exactly `frames` frames are written: the piece, then its release tails or silence. Between jobs the
 * synth is reset (voices, controllers, reverb and chorus lines), so no job hears another's tail.
 * It exits when stdin closes or its parent dies.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <math.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

typedef void fs_settings;
typedef void fs_synth;
typedef void fs_player;
typedef void fs_sfont;

static fs_settings *(*new_settings)(void);
static int (*settings_setstr)(fs_settings *, const char *, const char *);
static int (*settings_setnum)(fs_settings *, const char *, double);
static int (*settings_setint)(fs_settings *, const char *, int);
static fs_synth *(*new_synth)(fs_settings *);
static void (*delete_synth)(fs_synth *);
static int (*synth_sfload)(fs_synth *, const char *, int);
static fs_sfont *(*synth_get_sfont)(fs_synth *, unsigned int);
static int (*synth_add_sfont)(fs_synth *, fs_sfont *);
static int (*synth_remove_sfont)(fs_synth *, fs_sfont *);
static void (*synth_set_gain)(fs_synth *, float);
static int (*synth_reverb_on)(fs_synth *, int, int);
static int (*synth_chorus_on)(fs_synth *, int, int);
static int (*synth_write_s16)(fs_synth *, int, void *, int, int, void *, int, int);
static fs_player *(*new_player)(fs_synth *);
static void (*delete_player)(fs_player *);
static int (*player_add_mem)(fs_player *, const void *, size_t);
static int (*player_play)(fs_player *);
static int (*player_stop)(fs_player *);
static void *(*set_log_function)(int, void *, void *);
static void *default_log_function;
#define FLUID_WARN 2

static void die(const char *what);
#define BLOCK 4096
#define STEP_SEC 0.1

/*
 * BS.1770 K-weighting and 100 ms step powers, exactly as loudness.ts's LoudnessMeter computes them
 * (same coefficients, double precision, same order of operations), so a render measured here and
 * one measured there plan the same master.
 */
typedef struct { double b0, b1, b2, a1, a2; } biquad;
typedef struct {
  biquad shelf, high;
  double st[2][6];
  double sum[2];
  uint32_t step_frames, fill;
  double peak;
  double *steps;
  uint32_t n_steps, cap;
} meter;

static void meter_init(meter *m, double fs) {
  memset(m, 0, sizeof *m);
  double f0 = 1681.974450955533, gain_db = 3.999843853973347, q = 0.7071752369554196;
  double k = tan(M_PI * f0 / fs);
  double vh = pow(10, gain_db / 20), vb = pow(vh, 0.4996667741545416);
  double a0 = 1 + k / q + k * k;
  m->shelf = (biquad){(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0};
  f0 = 38.13547087602444;
  q = 0.5003270373238773;
  k = tan(M_PI * f0 / fs);
  a0 = 1 + k / q + k * k;
  m->high = (biquad){1, -2, 1, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0};
  m->step_frames = (uint32_t)lround(fs * STEP_SEC);
}

static void meter_push(meter *m, const int16_t *x, uint32_t frames) {
  const biquad sh = m->shelf;
  const double ha1 = m->high.a1, ha2 = m->high.a2;
  uint32_t f = 0;
  while (f < frames) {
    uint32_t run = frames - f < m->step_frames - m->fill ? frames - f : m->step_frames - m->fill;
    for (int c = 0; c < 2; c++) {
      double *s = m->st[c];
      double x1 = s[0], x2 = s[1], y1 = s[2], y2 = s[3], z1 = s[4], z2 = s[5], sum = 0, peak = m->peak;
      for (uint32_t i = f; i < f + run; i++) {
        double v = x[i * 2 + c] * (1.0 / 32768);
        double av = v < 0 ? -v : v;
        if (av > peak) peak = av;
        double y = sh.b0 * v + sh.b1 * x1 + sh.b2 * x2 - sh.a1 * y1 - sh.a2 * y2;
        double z = y - 2 * y1 + y2 - ha1 * z1 - ha2 * z2;
        x2 = x1; x1 = v; y2 = y1; y1 = y; z2 = z1; z1 = z;
        sum += z * z;
      }
      s[0] = x1; s[1] = x2; s[2] = y1; s[3] = y2; s[4] = z1; s[5] = z2;
      m->sum[c] += sum;
      m->peak = peak;
    }
    f += run;
    m->fill += run;
    if (m->fill == m->step_frames) {
      double power = 0;
      for (int c = 0; c < 2; c++) {
        power += m->sum[c] / m->step_frames;
        m->sum[c] = 0;
      }
      m->fill = 0;
      if (m->n_steps == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 1024;
        m->steps = realloc(m->steps, m->cap * sizeof(double));
        if (!m->steps) die("out of memory");
      }
      m->steps[m->n_steps++] = power;
    }
  }
}
static int16_t pcm[BLOCK * 2];

static void die(const char *what) {
  fprintf(stderr, "tunesmith-synthd: %s\n", what);
  exit(2);
}

static void *sym(void *lib, const char *name) {
  void *f = dlsym(lib, name);
  if (!f) {
    fprintf(stderr, "tunesmith-synthd: libfluidsynth has no %s\n", name);
    exit(2);
  }
  return f;
}

/* Reads exactly n bytes; 0 at a clean end of input before the first byte, exits on a torn read. */
static int read_all(void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(0, (char *)buf + got, n - got);
    if (r == 0) {
      if (got == 0) return 0;
      die("input ended inside a request");
    }
    if (r < 0) {
      if (errno == EINTR) continue;
      die("cannot read stdin");
    }
    got += (size_t)r;
  }
  return 1;
}

/* Writes all of buf to fd; 0 on success, else errno (a file that cannot be written). */
static int write_fd(int fd, const void *buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t w = write(fd, (const char *)buf + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += (size_t)w;
  }
  return 0;
}

static void write_all(const void *buf, size_t n) {
  if (write_fd(1, buf, n)) exit(3); /* the reader went away */
}

static void respond(uint32_t job, uint32_t status, uint32_t n) {
  uint8_t head[16];
  memcpy(head, "TSR1", 4);
  memcpy(head + 4, &job, 4);
  memcpy(head + 8, &status, 4);
  memcpy(head + 12, &n, 4);
  write_all(head, sizeof head);
}

static void fail(uint32_t job, const char *message) {
  respond(job, 1, (uint32_t)strlen(message));
  write_all(message, strlen(message));
}

int main(int argc, char **argv) {
  if (argc != 4) die("usage: tunesmith-synthd SOUNDFONT SAMPLE_RATE DYNAMIC_SAMPLE_LOADING");
  /* Die with the worker that started us, even if it was killed outright. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 0;
  signal(SIGPIPE, SIG_DFL);

  void *lib = dlopen("libfluidsynth.so.3", RTLD_NOW);
  if (!lib) die(dlerror());
  new_settings = sym(lib, "new_fluid_settings");
  settings_setstr = sym(lib, "fluid_settings_setstr");
  settings_setnum = sym(lib, "fluid_settings_setnum");
  settings_setint = sym(lib, "fluid_settings_setint");
  new_synth = sym(lib, "new_fluid_synth");
  synth_sfload = sym(lib, "fluid_synth_sfload");
  delete_synth = sym(lib, "delete_fluid_synth");
  synth_get_sfont = sym(lib, "fluid_synth_get_sfont");
  synth_add_sfont = sym(lib, "fluid_synth_add_sfont");
  synth_remove_sfont = sym(lib, "fluid_synth_remove_sfont");
  synth_set_gain = sym(lib, "fluid_synth_set_gain");
  synth_reverb_on = sym(lib, "fluid_synth_reverb_on");
  synth_chorus_on = sym(lib, "fluid_synth_chorus_on");
  synth_write_s16 = sym(lib, "fluid_synth_write_s16");
  new_player = sym(lib, "new_fluid_player");
  delete_player = sym(lib, "delete_fluid_player");
  player_add_mem = sym(lib, "fluid_player_add_mem");
  player_play = sym(lib, "fluid_player_play");
  player_stop = sym(lib, "fluid_player_stop");
  set_log_function = sym(lib, "fluid_set_log_function");
  default_log_function = sym(lib, "fluid_default_log_function");

  fs_settings *settings = new_settings();
  double sample_rate = atof(argv[2]);
  settings_setnum(settings, "synth.sample-rate", sample_rate);
  settings_setint(settings, "synth.dynamic-sample-loading", atoi(argv[3]));
  /* As the CLI's fast render (-F): the MIDI player follows rendered samples, not the wall clock. */
  settings_setstr(settings, "player.timing-source", "sample");
  settings_setint(settings, "synth.lock-memory", 0);
  /* This synth only holds the SoundFont. Each job gets a fresh synth that borrows it, so a job
     starts from exactly the state the CLI starts from, whatever ran before. */
  fs_synth *holder = new_synth(settings);
  if (!holder) die("cannot create the synth");
  if (synth_sfload(holder, argv[1], 1) == -1) die("cannot load the SoundFont");
  fs_sfont *sfont = synth_get_sfont(holder, 0);
  if (!sfont) die("cannot load the SoundFont");
  /* Ready: the parent may now time jobs without the SoundFont load in them. */
  respond(0, 0, 0);

  uint8_t head[24];
  while (read_all(head, sizeof head)) {
    int to_file = memcmp(head, "TSJ2", 4) == 0;
    if (!to_file && memcmp(head, "TSJ1", 4) != 0) die("bad request magic");
    uint32_t job, midi_len, frames, flags, measure_start = 0, measure_frames = 0, path_len = 0;
    float gain;
    memcpy(&job, head + 4, 4);
    memcpy(&midi_len, head + 8, 4);
    memcpy(&frames, head + 12, 4);
    memcpy(&gain, head + 16, 4);
    memcpy(&flags, head + 20, 4);
    if (to_file) {
      uint8_t more[12];
      if (!read_all(more, sizeof more)) die("input ended inside a request");
      memcpy(&measure_start, more, 4);
      memcpy(&measure_frames, more + 4, 4);
      memcpy(&path_len, more + 8, 4);
      if (path_len == 0 || path_len > 4096) die("bad output path length");
    }
    uint8_t *midi = malloc(midi_len ? midi_len : 1);
    if (!midi) die("out of memory");
    if (midi_len && !read_all(midi, midi_len)) die("input ended inside a request");
    char path[4097];
    if (to_file) {
      if (!read_all(path, path_len)) die("input ended inside a request");
      path[path_len] = 0;
    }

    if (midi_len < 4 || memcmp(midi, "MThd", 4) != 0) {
      free(midi);
      fail(job, "not a MIDI file (no MThd header)");
      continue;
    }
    fs_synth *synth = new_synth(settings);
    if (!synth || synth_add_sfont(synth, sfont) == -1) die("cannot create the synth");
    synth_set_gain(synth, gain);
    synth_reverb_on(synth, -1, flags & 1);
    synth_chorus_on(synth, -1, (flags >> 1) & 1);
    fs_player *player = new_player(synth);
    if (!player || player_add_mem(player, midi, midi_len) != 0 || player_play(player) != 0) {
      if (player) delete_player(player);
      set_log_function(FLUID_WARN, NULL, NULL);
      synth_remove_sfont(synth, sfont);
      set_log_function(FLUID_WARN, default_log_function, NULL);
      delete_synth(synth);
      free(midi);
      fail(job, "cannot play this MIDI data");
      continue;
    }
    /* fluid_player_add_mem copied the data; the player parses it on its first tick. */
    int fd = -1, file_error = 0;
    meter m;
    if (to_file) {
      fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (fd < 0) file_error = errno;
      meter_init(&m, sample_rate);
    } else {
      respond(job, 0, frames * 4u);
    }
    for (uint32_t done = 0; done < frames && !file_error;) {
      int n = frames - done < BLOCK ? (int)(frames - done) : BLOCK;
      /* As the CLI's raw s16 output: fluidsynth's own clipping and (deterministic) dither. */
      synth_write_s16(synth, n, pcm, 0, 2, pcm, 1, 2);
      if (to_file) {
        file_error = write_fd(fd, pcm, (size_t)n * 4);
        /* Meter the frames of this block inside [measure_start, measure_start + measure_frames). */
        uint64_t lo = measure_start > done ? measure_start : done;
        uint64_t hi = (uint64_t)measure_start + measure_frames < (uint64_t)done + n ? (uint64_t)measure_start + measure_frames : (uint64_t)done + n;
        if (hi > lo) meter_push(&m, pcm + (lo - done) * 2, (uint32_t)(hi - lo));
      } else {
        write_all(pcm, (size_t)n * 4);
      }
      done += (uint32_t)n;
    }
    if (to_file) {
      if (fd >= 0 && close(fd) != 0 && !file_error) file_error = errno;
      if (file_error) {
        char message[256];
        snprintf(message, sizeof message, "cannot write the rendered audio: %s", strerror(file_error));
        fail(job, message);
      } else {
        uint32_t n = 16 + m.n_steps * 8u;
        respond(job, 0, n);
        uint8_t stats[16];
        memcpy(stats, &m.peak, 8);
        memcpy(stats + 8, &m.step_frames, 4);
        memcpy(stats + 12, &m.n_steps, 4);
        write_all(stats, sizeof stats);
        if (m.n_steps) write_all(m.steps, m.n_steps * 8u);
      }
      free(m.steps);
    }
    player_stop(player);
    delete_player(player);
    /* Removed first: deleting a synth deletes the SoundFonts it holds. (Removing it makes the synth
       warn that its channels have no preset left: true and harmless, so not logged.) */
    set_log_function(FLUID_WARN, NULL, NULL);
    synth_remove_sfont(synth, sfont);
    set_log_function(FLUID_WARN, default_log_function, NULL);
    delete_synth(synth);
    free(midi);
  }
  return 0;
}
