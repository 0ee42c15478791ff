// A small ext4 file system on a loop device, mounted under the stack's dir: a block device of its
// own for one member's WAL, which a fault can then throttle (cgroup block I/O limits apply per
// device). The image lives in /dev/shm when there is one: a RAM-backed device is as fast as the
// other members' disks (a loop device on a file of the root disk pays two fsyncs per fsync), so
// the throttle is the only slowness. Needs root and a free loop device. `losetup`, `mkfs.ext4`,
// `mount` (Debian: mount, e2fsprogs).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface LoopFs {
  /** /dev/loopN */
  device: string;
  /** "7:0": what cgroup block I/O limits name the device by. */
  majMin: string;
  mountpoint: string;
  /** Unmounts, detaches the loop device and removes the image. Idempotent. */
  remove(): void;
}

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** Why a loop-backed file system can't be made here, or null when it can. */
export function loopUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (losetup, mount)';
  if (!fs.existsSync('/dev/loop-control')) return 'no /dev/loop-control (loop driver missing)';
  for (const bin of ['/usr/sbin/losetup', '/usr/sbin/mkfs.ext4', '/usr/bin/mount', '/usr/bin/umount'])
    if (!fs.existsSync(bin)) return `${bin} is missing`;
  return null;
}

/** Creates a `<name>.img` of sizeMb (in /dev/shm, else dir), a loop device on it, ext4, mounted at `<dir>/<name>`. */
export function makeLoopFs(dir: string, name: string, sizeMb = 128): LoopFs {
  const why = loopUnavailable();
  if (why) throw new Error(`loop device for ${name}: ${why}`);
  const imageDir = fs.existsSync('/dev/shm') ? fs.mkdtempSync('/dev/shm/fulcrum-loop-') : dir;
  const image = path.join(imageDir, `${name}.img`);
  const mountpoint = path.join(dir, name);
  fs.mkdirSync(mountpoint, { recursive: true });
  fs.writeFileSync(image, '');
  fs.truncateSync(image, sizeMb * 1024 * 1024);
  run('/usr/sbin/mkfs.ext4', ['-q', '-F', image]);
  const device = run('/usr/sbin/losetup', ['--find', '--show', image]);
  let mounted = false;
  const remove = () => {
    if (mounted) {
      try {
        run('/usr/bin/umount', [mountpoint]);
      } catch {
        run('/usr/bin/umount', ['-l', mountpoint]);
      }
      mounted = false;
    }
    try {
      run('/usr/sbin/losetup', ['-d', device]);
    } catch {
      // already detached
    }
    fs.rmSync(image, { force: true });
    if (imageDir !== dir) fs.rmSync(imageDir, { recursive: true, force: true });
  };
  try {
    run('/usr/bin/mount', [device, mountpoint]);
    mounted = true;
    const majMin = fs.readFileSync(`/sys/block/${path.basename(device)}/dev`, 'utf8').trim();
    return { device, majMin, mountpoint, remove };
  } catch (err) {
    remove();
    throw err;
  }
}
