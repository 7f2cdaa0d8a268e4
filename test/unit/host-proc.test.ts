// /proc parsers of the host metrics: disks, network interfaces, CPU, memory; HTTP timing averages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hostCpuPct,
  hostIoRates,
  isWholeDiskName,
  parseDiskstats,
  parseMeminfo,
  parseNetDev,
  parseProcStat,
} from '../../activities/profiling/host';
import { endpointTiming } from '../../activities/profiling/network';
import { parsePidStatTicks } from '../../activities/profiling/process';

const DISKSTATS = `
   7       0 loop0 100 0 800 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 253       0 vda 1000 10 20000 500 300 20 6000 900 0 800 1400 0 0 0 0 0 0
 253       1 vda1 990 10 19000 490 290 20 5800 880 0 780 1370 0 0 0 0 0 0
 259       0 nvme0n1 10 0 100 1 20 0 400 2 0 3 3
 259       1 nvme0n1p1 10 0 100 1 20 0 400 2 0 3 3
 252       0 dm-0 50 0 4000 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 251       0 zram0 5 0 40 0 5 0 40 0 0 0 0 0 0 0 0 0 0
`;

test('diskstats: whole disks only, 512-byte sectors', () => {
  assert.equal(isWholeDiskName('vda'), true);
  assert.equal(isWholeDiskName('sdb'), true);
  assert.equal(isWholeDiskName('nvme0n1'), true);
  for (const n of ['vda1', 'sda12', 'xvda1', 'nvme0n1p1', 'mmcblk0p2', 'loop0', 'dm-0', 'md0', 'zram0', 'ram1'])
    assert.equal(isWholeDiskName(n), false, n);
  assert.deepEqual(parseDiskstats(DISKSTATS), { readBytes: (20000 + 100) * 512, writeBytes: (6000 + 400) * 512 });
  // An explicit device set (from /sys/block) wins over the name heuristic.
  assert.deepEqual(
    parseDiskstats(DISKSTATS, (n) => n === 'vda'),
    { readBytes: 20000 * 512, writeBytes: 6000 * 512 },
  );
  assert.deepEqual(parseDiskstats(''), { readBytes: 0, writeBytes: 0 });
});

const NETDEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 3032808109 4134445    0    0    0     0          0         0 3032808109 4134445    0    0    0     0       0          0
  eth0: 733035308   18500    0    0    0     0          0         0  1618653   13729    0    0    0     0       0          0
 wlan0:1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0
`;

test('net/dev: rx/tx of every interface but loopback, loopback apart', () => {
  assert.deepEqual(parseNetDev(NETDEV), { rxBytes: 733035308 + 1000, txBytes: 1618653 + 2000, loopbackBytes: 3032808109 });
  assert.deepEqual(parseNetDev('garbage'), { rxBytes: 0, txBytes: 0, loopbackBytes: 0 });
});

test('host I/O rates between two readings', () => {
  const a = { diskReadBytes: 0, diskWriteBytes: 1000, netRxBytes: 500, netTxBytes: 500, loopbackBytes: 0 };
  const b = { diskReadBytes: 4096, diskWriteBytes: 3000, netRxBytes: 400, netTxBytes: 1500, loopbackBytes: 10_000 };
  assert.deepEqual(hostIoRates(a, b, 2), {
    diskReadBytesPerSec: 2048,
    diskWriteBytesPerSec: 1000,
    netRxBytesPerSec: 0,
    netTxBytesPerSec: 500,
    loopbackBytesPerSec: 5000,
  });
  assert.equal(hostIoRates(a, b, 0).diskReadBytesPerSec, 0);
});

test('stat, meminfo and pid stat', () => {
  const a = parseProcStat('cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3 4\n');
  const b = parseProcStat('cpu  200 0 200 1400 200 0 0 0 0 0\n');
  assert.deepEqual(a, { idle: 800, total: 1000 });
  assert.equal(hostCpuPct(a, b), 20);
  assert.equal(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 250 kB\n'), 75);
  assert.equal(parsePidStatTicks('42 (node (x) y) S 1 42 42 0 -1 4194560 100 0 0 0 150 25 0 0 20 0 11 0'), 175);
});

test('HTTP timing of an endpoint: averages of its probes, failures counted', () => {
  const s = (connectMs: number, ttfbMs: number, transferMs: number) => ({
    connectMs,
    ttfbMs,
    transferMs,
    totalMs: ttfbMs + transferMs,
    status: 200,
  });
  const t = endpointTiming({ name: 'list', method: 'GET' }, [s(1, 10, 2), s(3, 20, 4)], ['timeout']);
  assert.deepEqual(t, {
    name: 'list',
    method: 'GET',
    samples: 2,
    errors: 1,
    status: 200,
    connectMsAvg: 2,
    ttfbMsAvg: 15,
    transferMsAvg: 3,
    totalMsAvg: 18,
    error: 'timeout',
  });
  const none = endpointTiming({ name: 'x', method: 'POST' }, [], ['refused']);
  assert.equal(none.samples, 0);
  assert.equal(none.status, null);
  assert.equal(none.connectMsAvg, 0);
});
