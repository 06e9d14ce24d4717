// Tells the worker's journey dispatcher that triggers were stored (decision 018): one UDP datagram per
// target, at most one per event-loop turn however many writes it held. Lost datagrams cost a poll interval.
import { createSocket, type Socket } from 'node:dgram';

export interface DispatcherWakeSender {
  wake(): void;
  close(): void;
}

export function createDispatcherWakeSender(targets: string[]): DispatcherWakeSender {
  const parsed = targets.map((t) => {
    const i = t.lastIndexOf(':');
    return { host: t.slice(0, i), port: Number(t.slice(i + 1)) };
  });
  let socket: Socket | undefined;
  let queued = false;
  const ping = Buffer.from([1]);
  const send = () => {
    queued = false;
    socket ??= createSocket('udp4').on('error', () => undefined);
    socket.unref();
    for (const { host, port } of parsed) socket.send(ping, port, host, () => undefined);
  };
  return {
    wake() {
      if (parsed.length === 0 || queued) return;
      queued = true;
      setImmediate(send);
    },
    close() {
      socket?.close();
      socket = undefined;
    },
  };
}
