// The cross-process half of the dispatcher's wake-up (decision 018): a writer in another process (the API)
// sends a UDP datagram after it stores journey triggers; any datagram here starts a dispatcher pass.
import { createSocket } from 'node:dgram';

export interface WakeListener {
  close(): Promise<void>;
}

/** Listens at `address` ('host:port'); a port already taken is logged and left to the poll. */
export async function listenForDispatcherWakes(
  address: string,
  onWake: () => void,
  log?: { warn(o: object, m?: string): void },
): Promise<WakeListener> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator);
  const port = Number(address.slice(separator + 1));
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.on('message', () => onWake());
  const bound = await new Promise<boolean>((resolve) => {
    socket.once('error', (error) => {
      log?.warn(
        { err: error.message, address },
        'journey dispatcher: no wake-ups from other processes (polling only)',
      );
      socket.close();
      resolve(false);
    });
    socket.bind(port, host, () => resolve(true));
  });
  socket.on('error', () => undefined);
  return {
    async close() {
      if (bound) await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
