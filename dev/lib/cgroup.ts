// Linux control groups for the faults that starve a member (CPU quota) or slow its disk (block
// I/O throttling), cgroup v2 or v1, whichever the host mounts. Needs root. Only the processes the
// stack started are ever moved, and each goes back to the cgroup it came from.
//
//   v2: /sys/fs/cgroup/<group>/{cpu.max, io.max, cgroup.procs}
//   v1: /sys/fs/cgroup/cpu/<group>/{cpu.cfs_period_us, cpu.cfs_quota_us, cgroup.procs}
//       /sys/fs/cgroup/blkio/<group>/{blkio.throttle.write_iops_device, cgroup.procs}
import fs from 'node:fs';
import path from 'node:path';

const ROOT = '/sys/fs/cgroup';

export type Controller = 'cpu' | 'io';

/** Which cgroup version serves a controller here, or why none does. */
export function cgroupMode(controller: Controller): { v: 2; dir: string } | { v: 1; dir: string } | { error: string } {
  if (fs.existsSync(path.join(ROOT, 'cgroup.controllers'))) {
    const have = fs.readFileSync(path.join(ROOT, 'cgroup.controllers'), 'utf8').split(/\s+/);
    return have.includes(controller)
      ? { v: 2, dir: ROOT }
      : { error: `cgroup v2 at ${ROOT} has no ${controller} controller (${have.join(' ') || 'none'})` };
  }
  const v1 = path.join(ROOT, controller === 'cpu' ? 'cpu' : 'blkio');
  if (fs.existsSync(path.join(v1, 'cgroup.procs'))) return { v: 1, dir: v1 };
  return { error: `no cgroup ${controller} controller mounted under ${ROOT}` };
}

/** The cgroup directory a process is in now, for one controller (to put it back later). */
function currentGroup(pid: number, controller: Controller, mode: { v: 1 | 2; dir: string }): string {
  const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const want = controller === 'cpu' ? 'cpu' : 'blkio';
  for (const l of lines) {
    const [, ctrls, p] = l.split(':');
    if (mode.v === 2 ? ctrls === '' : ctrls.split(',').includes(want)) return path.join(mode.dir, p);
  }
  return mode.dir;
}

export interface CgroupHandle {
  dir: string;
  /** Moves the process back where it was (if it still runs) and removes the group. Idempotent. */
  release(): void;
}

/**
 * A fresh child cgroup with `settings` (file → value) written, and `pid` moved into it. Throws
 * with the reason when the host has no such controller or refuses (not root, read-only mount).
 */
export function confine(
  pid: number,
  controller: Controller,
  name: string,
  settings: (v: 1 | 2) => Record<string, string>,
): CgroupHandle {
  const mode = cgroupMode(controller);
  if ('error' in mode) throw new Error(mode.error);
  const from = currentGroup(pid, controller, mode);
  const dir = path.join(mode.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  try {
    if (mode.v === 2) {
      // A v2 child only has a controller's files once its parent enables it for children.
      const sub = path.join(mode.dir, 'cgroup.subtree_control');
      if (!fs.readFileSync(sub, 'utf8').split(/\s+/).includes(controller)) fs.writeFileSync(sub, `+${controller}`);
    }
    for (const [file, value] of Object.entries(settings(mode.v))) fs.writeFileSync(path.join(dir, file), value);
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
  } catch (err) {
    try {
      fs.rmdirSync(dir);
    } catch {
      // left for release() or a later run
    }
    throw new Error(`cgroup ${dir}: ${(err as Error).message}`);
  }
  let released = false;
  return {
    dir,
    release() {
      if (released) return;
      try {
        if (fs.existsSync(`/proc/${pid}`)) fs.writeFileSync(path.join(from, 'cgroup.procs'), String(pid));
      } catch {
        // the process exited meanwhile: nothing to move
      }
      // Threads may take a moment to leave; an empty group can then go.
      for (let k = 0; k < 50; k++) {
        try {
          fs.rmdirSync(dir);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
          const until = Date.now() + 20;
          while (Date.now() < until) {
            // brief spin: rmdir fails with EBUSY until the last task left
          }
        }
      }
      released = true;
    },
  };
}
